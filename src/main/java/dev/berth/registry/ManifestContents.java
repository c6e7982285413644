package dev.berth.registry;

import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.cache.Cache;
import io.quarkus.cache.CacheName;
import io.quarkus.cache.CaffeineCache;
import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.mutiny.Uni;

/**
 * Parsed manifests by digest. Content under a digest never changes, so it is kept without
 * invalidation. A quarkus-cache cache like every other (a raw Caffeine weigher fails in the native
 * image), which bounds entries, not bytes: so only manifests up to
 * {@code berth.cache.manifest-contents.max-manifest-size} are kept, and the memory bound is that size
 * times the cache's maximum-size (application.properties; 16 KiB x 4096 = 64 MiB).
 */
@ApplicationScoped
public class ManifestContents {
    @Inject
    @CacheName("manifest-contents")
    Cache cache;
    @ConfigProperty(name = "berth.cache.manifest-contents.max-manifest-size")
    MemorySize maxManifestSize;

    public Uni<Manifest> get(Digest digest, Supplier<Uni<Manifest>> load) {
        CompletableFuture<Manifest> cached = cache.as(CaffeineCache.class).getIfPresent(digest);
        // entries are only ever put complete (below), so a present one is never still loading
        Manifest manifest = cached == null ? null : cached.getNow(null);
        if (manifest != null) {
            return Uni.createFrom().item(manifest);
        }
        return load.get().invoke(loaded -> keep(digest, loaded));
    }

    /** Keeps a manifest just stored under its digest: the first pull after a push reads no content. */
    void keep(Digest digest, Manifest manifest) {
        if (manifest.content().length <= maxManifestSize.asLongValue()) {
            cache.as(CaffeineCache.class).put(digest, CompletableFuture.completedFuture(manifest));
        }
    }
}
