package dev.berth.storage.s3;

import java.time.Duration;
import java.util.List;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

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

    /** Bounded like the running digests of uploads ("upload-digests"); a forgotten upload is listed again. */
    private final Cache<String, Known> known = Caffeine.newBuilder()
            .maximumSize(10_000)
            .expireAfterAccess(Duration.ofHours(1))
            .build();

    Known get(String path) {
        return known.getIfPresent(path);
    }

    void keep(String path, Known state) {
        known.put(path, state);
    }

    void forget(String path) {
        known.invalidate(path);
    }
}
