package dev.berth.storage.s3;

import java.util.List;
import java.util.concurrent.CompletableFuture;

import io.quarkus.cache.Cache;
import io.quarkus.cache.CaffeineCache;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * What this replica last left of each upload it served: the multipart upload, its parts with their
 * ETags, and the nonce of the tail object it wrote then. A resume trusts it only while the tail
 * still carries that nonce (every close writes a fresh one, commit and cancel delete the tail), so
 * an upload continued on another replica in between is listed again from the bucket.
 */
final class S3UploadStates {
    /** The state a writer left at close: its parts, and the nonce of the tail it wrote. */
    record Known(String uploadId, List<CompletedPart> parts, String nonce) {
    }

    /** The quarkus-cache cache "s3-upload-states" (application.properties); a forgotten upload is listed again. */
    private final CaffeineCache known;

    S3UploadStates(Cache cache) {
        this.known = cache.as(CaffeineCache.class);
    }

    Known get(String path) {
        CompletableFuture<Known> kept = known.getIfPresent(path);
        // entries are only ever put complete
        return kept == null ? null : kept.getNow(null);
    }

    void keep(String path, Known state) {
        known.put(path, CompletableFuture.completedFuture(state));
    }

    void forget(String path) {
        known.invalidate(path);
    }
}
