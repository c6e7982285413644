package dev.berth.registry;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import io.quarkus.cache.Cache;
import io.smallrye.mutiny.Uni;

/**
 * Lookups through a quarkus-cache {@link Cache} that keep only what was found. A miss is not cached
 * (a blob pushed right after must be seen at once), and it does not fail the cache's load either:
 * Caffeine logs every failed asynchronous load as a warning, and misses are expected (every push
 * starts with HEADs of blobs the registry does not have).
 */
final class FoundOnlyCache {
    /** Marks a miss in the cache for the caller that loaded it; dropped at once, never served as a value. */
    private static final Object ABSENT = new Object();

    private FoundOnlyCache() {
    }

    static <V> Uni<Optional<V>> get(Cache cache, Object key, Supplier<Uni<Optional<V>>> load) {
        AtomicBoolean loadedHere = new AtomicBoolean();
        return cache.<Object, Object>getAsync(key, k -> {
            loadedHere.set(true);
            return load.get().map(found -> found.<Object>map(v -> v).orElse(ABSENT));
        }).chain(value -> {
            if (value != ABSENT) {
                @SuppressWarnings("unchecked")
                V found = (V) value;
                return Uni.createFrom().item(Optional.of(found));
            }
            // a caller that met another's marker does not trust it: storage may have changed since
            return cache.invalidate(key).chain(() -> loadedHere.get() ? Uni.createFrom().item(Optional.<V>empty()) : load.get());
        });
    }
}
