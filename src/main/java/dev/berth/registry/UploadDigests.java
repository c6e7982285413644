package dev.berth.registry;

import java.util.concurrent.CompletableFuture;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.quarkus.cache.Cache;
import io.quarkus.cache.CacheName;
import io.quarkus.cache.CaffeineCache;

/**
 * Running digests of uploads between their requests, in this process. A chunk that arrives here
 * continues its digest; one that arrives at another replica (or after a restart) finds none, and the
 * upload is hashed again from storage when it completes, so nothing depends on this memory. Bound and
 * idle expiry: cache "upload-digests" in application.properties.
 */
@ApplicationScoped
public class UploadDigests {
    @Inject
    @CacheName("upload-digests")
    Cache running;

    /**
     * The digest of {@code uuid}'s first {@code offset} bytes; null when unknown. One entry per upload:
     * a request that failed part-way leaves a digest of another length, which is not used.
     */
    Digester at(String uuid, long offset) {
        CompletableFuture<Digester> kept = running.as(CaffeineCache.class).getIfPresent(uuid);
        // entries are only ever put complete (below), so a present one is never still loading
        Digester digester = kept == null ? null : kept.getNow(null);
        return digester != null && digester.length() == offset ? digester : null;
    }

    void keep(String uuid, Digester digester) {
        running.as(CaffeineCache.class).put(uuid, CompletableFuture.completedFuture(digester));
    }
}
