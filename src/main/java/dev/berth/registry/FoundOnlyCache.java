package dev.berth.registry;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import io.quarkus.cache.Cache;
import io.quarkus.cache.CaffeineCache;
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
        V present = present(cache, key);
        if (present != null) {
            return Uni.createFrom().item(Optional.of(present));
        }
        // a load goes through getAsync: concurrent callers share it, and an invalidation while it runs
        // (a delete) drops its result instead of letting it be cached afterwards
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

    /**
     * Runs {@code write}, after which storage holds {@code value} under {@code key}, and keeps the value
     * once the write succeeded, as a load would keep it: a reader meanwhile waits for the write, and an
     * invalidation meanwhile (a delete, here or through another replica) drops it. A failed or cancelled
     * write leaves no entry.
     */
    static Uni<Void> writeThrough(Cache cache, Object key, Object value, Uni<Void> write) {
        return Uni.createFrom().deferred(() -> {
            CompletableFuture<Object> entry = new CompletableFuture<>();
            cache.as(CaffeineCache.class).put(key, entry);
            return write.onTermination().call((ignored, failure, cancelled) -> {
                if (failure == null && !cancelled) {
                    entry.complete(value);
                    return Uni.createFrom().voidItem();
                }
                // a reader waiting on the entry meets the marker and asks storage itself
                entry.complete(ABSENT);
                return cache.invalidate(key);
            });
        });
    }

    /**
     * The value already in the cache, or null (none, a load still running, or a miss marker). A hit is
     * answered here, on the caller's thread, without getAsync's Uni chain and its emitOn.
     */
    private static <V> V present(Cache cache, Object key) {
        CompletableFuture<Object> entry = cache.as(CaffeineCache.class).getIfPresent(key);
        if (entry == null || !entry.isDone() || entry.isCompletedExceptionally()) {
            return null;
        }
        Object value = entry.getNow(null);
        @SuppressWarnings("unchecked")
        V found = value == ABSENT ? null : (V) value;
        return found;
    }
}
