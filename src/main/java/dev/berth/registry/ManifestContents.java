package dev.berth.registry;

import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import io.smallrye.mutiny.Uni;

/**
 * Parsed manifests by digest. Content under a digest never changes, so it can be kept without
 * invalidation; the bound is in bytes (Caffeine directly, because quarkus-cache bounds entries only
 * and one manifest may be 4 MiB).
 */
@ApplicationScoped
public class ManifestContents {
    /** Bytes of manifest content kept in memory at most. */
    static final long MAX_BYTES = 64L * 1024 * 1024;

    private final Cache<Digest, Manifest> cache = Caffeine.newBuilder()
            .maximumWeight(MAX_BYTES)
            .weigher((Digest digest, Manifest manifest) -> manifest.content().length)
            .build();

    public Uni<Manifest> get(Digest digest, Supplier<Uni<Manifest>> load) {
        Manifest cached = cache.getIfPresent(digest);
        if (cached != null) {
            return Uni.createFrom().item(cached);
        }
        return load.get().invoke(manifest -> cache.put(digest, manifest));
    }
}
