package dev.berth.registry;

import java.util.Optional;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

import dev.berth.config.CacheTtl;
import dev.berth.redis.Invalidations;
import io.quarkus.cache.Cache;
import io.smallrye.mutiny.Uni;

/**
 * A local cache of found entries ({@link FoundOnlyCache}) whose invalidations reach every replica
 * through Redis ({@link Invalidations}) when the {@code redis} section is configured: a hit costs no
 * network call, and a change made anywhere evicts the entry everywhere. Bypassed while Redis is
 * configured but unreachable (invalidations could be missed), and with a TTL of 0.
 */
final class ReplicatedCache {
    private static final Logger LOG = Logger.getLogger(ReplicatedCache.class);

    private final Cache cache;
    private final Invalidations invalidations;
    private final boolean enabled;

    /** {@code goDuration} is the cache's TTL from config.yml (e.g. {@code storage.cache.tagttl}). */
    ReplicatedCache(Cache cache, String goDuration, Invalidations invalidations) {
        this.cache = cache;
        this.invalidations = invalidations;
        this.enabled = CacheTtl.apply(cache, goDuration);
        invalidations.register(cache.getName(), key -> evictQuietly(cache.invalidate(key)), () -> evictQuietly(cache.invalidateAll()));
    }

    <V> Uni<Optional<V>> get(String key, Supplier<Uni<Optional<V>>> load) {
        return enabled && invalidations.trusted() ? FoundOnlyCache.get(cache, key, load) : load.get();
    }

    /**
     * Runs {@code write}, which makes {@code value} what storage holds under {@code key}, and keeps the value here
     * (not on other replicas, which read storage at their next miss): the first read after a push or a mirror's fill
     * costs no storage round trip, as Distribution's descriptor cache is set when a blob is committed.
     */
    Uni<Void> writeThrough(String key, Object value, Uni<Void> write) {
        return enabled && invalidations.trusted() ? FoundOnlyCache.writeThrough(cache, key, value, write) : write;
    }

    /** Evicts the entry here only: before a change is in storage, other replicas have nothing new to read. */
    Uni<Void> evictHere(String key) {
        return cache.invalidate(key);
    }

    /** Evicts the entry here and on every replica: once the change is in storage. */
    Uni<Void> evict(String key) {
        return cache.invalidate(key).chain(() -> invalidations.publish(cache.getName(), key));
    }

    private static void evictQuietly(Uni<Void> eviction) {
        eviction.subscribe().with(v -> { }, e -> LOG.warnf("cache eviction failed: %s", e.getMessage()));
    }
}
