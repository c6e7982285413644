package dev.berth.storage;

import java.time.Instant;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * Implemented by drivers that keep unfinished writes open in the store itself (S3 multipart uploads,
 * billed for their parts until aborted), so upload purging can find and abort those left behind.
 * Reached through {@link StorageDriver#unwrap}.
 */
public interface OpenUploads {

    /** One open upload: the file it writes, the store's id for it, and when it began. */
    record OpenUpload(String path, String key, String uploadId, Instant initiated) {
    }

    /** Every open upload of a file at or below {@code path}, listed page by page. */
    Multi<OpenUpload> openUploads(String path);

    /** Aborts the upload and deletes its side objects (the unfinished part); already gone is done. */
    Uni<Void> abort(OpenUpload upload);
}
