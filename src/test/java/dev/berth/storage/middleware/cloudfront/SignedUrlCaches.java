package dev.berth.storage.middleware.cloudfront;

import java.time.Duration;

import io.quarkus.cache.Cache;
import io.quarkus.cache.runtime.caffeine.CaffeineCacheImpl;
import io.quarkus.cache.runtime.caffeine.CaffeineCacheInfo;

/** The "signed-urls" cache as application.properties declares it, for tests that run without Quarkus. */
public final class SignedUrlCaches {
    private SignedUrlCaches() {
    }

    public static Cache standalone() {
        CaffeineCacheInfo info = new CaffeineCacheInfo();
        info.name = "signed-urls";
        info.maximumSize = 100_000L;
        // a placeholder, as in application.properties: SignedUrlCache sets its window
        info.expireAfterWrite = Duration.ofMinutes(5);
        return new CaffeineCacheImpl(info, false);
    }
}
