package dev.berth.storage;

import java.util.List;
import java.util.Optional;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;

/**
 * Paths to bytes, nothing about images (Distribution's StorageDriver, made reactive).
 *
 * <p>Paths are absolute, '/'-separated, and already validated by {@link PathRules}: segments of
 * [A-Za-z0-9._-], no empty, "." or ".." segment. Directories are implied by the files below them.
 * A missing path fails the returned Uni/Multi with {@link PathNotFoundException}. No method blocks
 * the calling thread.
 */
public interface StorageDriver {

    /** The driver's config name: filesystem, inmemory, s3. */
    String name();

    /** Whole content of a small file (links, manifests, state). */
    Uni<byte[]> getContent(String path);

    /** Writes a small file atomically: readers see the old content or the new, never a part. */
    Uni<Void> putContent(String path, byte[] content);

    /**
     * Creates a small file only if nothing is at {@code path}, atomically: of concurrent callers, in
     * this process or any other sharing the storage, exactly one gets {@code true}. The storage's own
     * primitive (exclusive create, S3's {@code If-None-Match: *}), so it fences replicas too.
     */
    Uni<Boolean> putContentIfAbsent(String path, byte[] content);

    /**
     * Streams {@code length} bytes from {@code offset} ({@code length < 0}: to the end), with
     * back-pressure. An offset at or past the end gives an empty stream.
     */
    Multi<Buffer> read(String path, long offset, long length);

    /**
     * Opens a writer on {@code path}. {@code append=false} starts a new, empty file (replacing any);
     * {@code append=true} resumes one that an earlier writer closed, possibly in another process.
     */
    Uni<FileWriter> writer(String path, boolean append);

    /**
     * Whether a new file's writer ({@code writer(path, false)}) publishes it only at its commit: nothing is
     * readable at the path until then, and a cancelled or abandoned write leaves nothing there (S3: a multipart
     * upload). The filesystem and in-memory drivers write in place.
     */
    default boolean publishesOnCommit() {
        return false;
    }

    /** Size and kind of a file or directory. */
    Uni<FileInfo> stat(String path);

    /**
     * The size of the file at {@code path}, empty when there is none (nothing, or a directory). Drivers
     * where telling a directory from nothing costs another request (S3: a listing) override it.
     */
    default Uni<Optional<Long>> fileSize(String path) {
        return stat(path)
                .map(info -> info.directory() ? Optional.<Long>empty() : Optional.of(info.size()))
                .onFailure(PathNotFoundException.class).recoverWithItem(Optional.empty());
    }

    /** Full paths of the direct children of a directory, sorted. */
    Uni<List<String>> list(String path);

    /** Moves a file, replacing {@code destination} atomically. */
    Uni<Void> move(String source, String destination);

    /**
     * Puts the content of a file whose size the caller has just read ({@link #stat}) at
     * {@code destination}, replacing it atomically; the source may be left for the caller to delete
     * with the rest of its directory. A move by default; S3 copies (planned by that size, one copy or
     * ranges) and leaves the delete: a round trip less before the caller can go on.
     */
    default Uni<Void> place(String source, String destination, long size) {
        return move(source, destination);
    }

    /** Deletes a file or a whole directory tree. */
    Uni<Void> delete(String path);

    /**
     * Deletes many files (not directories) at once, skipping those already gone; what a garbage
     * collection sweeps. Drivers with a batch primitive override it (S3: one DeleteObjects per 1,000
     * keys); the filesystem also removes the directories the deletes emptied.
     */
    default Uni<Void> deleteFiles(List<String> paths) {
        return Multi.createFrom().iterable(paths)
                .onItem().transformToUni(p -> delete(p).onFailure(PathNotFoundException.class).recoverWithNull())
                .merge(DELETE_CONCURRENCY)
                .collect().last().replaceWithVoid();
    }

    /** Deletes (or delete batches) a driver keeps in flight at once in {@link #deleteFiles}. */
    int DELETE_CONCURRENCY = 8;

    /** Every file below {@code path}, as full paths in lexical (string) order; a file or missing path is not found. */
    Multi<FileInfo> walk(String path);

    /**
     * A URL the client can fetch the file from directly, or empty when the driver serves bytes
     * itself (filesystem, inmemory) and the registry must stream them.
     */
    default Uni<Optional<String>> redirectUrl(RedirectRequest request, String path) {
        return Uni.createFrom().item(Optional.empty());
    }

    /**
     * This driver, or the one it wraps, as {@code type} (e.g. the S3 driver's object keys for the
     * CloudFront middleware), so middleware works whatever wraps the driver.
     */
    default <T> Optional<T> unwrap(Class<T> type) {
        return type.isInstance(this) ? Optional.of(type.cast(this)) : Optional.empty();
    }
}
