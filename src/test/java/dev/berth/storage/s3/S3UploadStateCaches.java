package dev.berth.storage.s3;

import java.time.Duration;

import io.quarkus.cache.Cache;
import io.quarkus.cache.runtime.caffeine.CaffeineCacheImpl;
import io.quarkus.cache.runtime.caffeine.CaffeineCacheInfo;

/** The "s3-upload-states" cache as application.properties declares it, for drivers tests build without Quarkus. */
public final class S3UploadStateCaches {
    private S3UploadStateCaches() {
    }

    public static Cache standalone() {
        CaffeineCacheInfo info = new CaffeineCacheInfo();
        info.name = "s3-upload-states";
        info.maximumSize = 10_000L;
        info.expireAfterAccess = Duration.ofHours(1);
        return new CaffeineCacheImpl(info, false);
    }
}
