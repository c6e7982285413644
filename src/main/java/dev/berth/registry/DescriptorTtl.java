package dev.berth.registry;

import java.time.Duration;

import dev.berth.config.GoDuration;
import dev.berth.config.StorageConfig;
import io.quarkus.cache.Cache;
import io.quarkus.cache.CaffeineCache;

/**
 * {@code storage.cache.descriptorttl} on the quarkus-cache caches it bounds (blob descriptors,
 * manifest revisions). Their names are fixed at build time, so the expiry is set here at startup; the
 * caches are declared with an expire-after-write in application.properties, which gives them the
 * policy this changes.
 */
final class DescriptorTtl {
    private DescriptorTtl() {
    }

    /** Applies the TTL to {@code cache}; false when it is 0 and the cache must be bypassed. */
    static boolean apply(Cache cache, StorageConfig config) {
        Duration ttl = GoDuration.parse(config.cache().descriptorttl().trim());
        if (ttl.isZero()) {
            return false;
        }
        cache.as(CaffeineCache.class).setExpireAfterWrite(ttl);
        return true;
    }
}
