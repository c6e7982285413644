package dev.berth.config;

import java.time.Duration;

import io.quarkus.cache.Cache;
import io.quarkus.cache.CaffeineCache;

/**
 * Expiries known only at startup, set on the quarkus-cache caches they bound: {@code storage.cache.descriptorttl}
 * (blob descriptors, manifest revisions) and {@code storage.cache.tagttl} (tags) from config.yml, and a CloudFront
 * middleware's URL window (signed URLs). Cache names and bounds are fixed at build time, in application.properties;
 * each of these caches is declared there with a placeholder expire-after-write, which gives it the policy this changes.
 */
public final class CacheTtl {
    private CacheTtl() {
    }

    /** Applies a config.yml Go duration (e.g. {@code storage.cache.tagttl}); false when it is 0 and the cache must be bypassed. */
    public static boolean apply(Cache cache, String goDuration) {
        return apply(cache, GoDuration.parse(goDuration.trim()));
    }

    /** Makes {@code ttl} the cache's expire-after-write; false when it is 0 and the cache must be bypassed. */
    public static boolean apply(Cache cache, Duration ttl) {
        if (ttl.isZero()) {
            return false;
        }
        cache.as(CaffeineCache.class).setExpireAfterWrite(ttl);
        return true;
    }
}
