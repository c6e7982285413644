package dev.berth.registry;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.berth.storage.LocalFiles;
import dev.berth.storage.RedirectRequest;
import dev.berth.storage.StorageDriver;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;

/** Content-addressed blobs shared by all repositories ({@code blobs/<alg>/<xx>/<hex>/data}). */
@ApplicationScoped
public class BlobStore {
    @Inject
    StorageDriver driver;

    /** The blob's size, or empty when it is not stored. */
    public Uni<Optional<Long>> size(Digest digest) {
        return driver.fileSize(StoragePaths.blobData(digest));
    }

    public Multi<Buffer> read(Digest digest, long offset, long length) {
        return driver.read(StoragePaths.blobData(digest), offset, length);
    }

    /** The file holding the blob on this machine, when the storage is a local file system. */
    public Optional<String> localFile(Digest digest) {
        return driver.unwrap(LocalFiles.class).map(files -> files.localFile(StoragePaths.blobData(digest)));
    }

    public Uni<byte[]> content(Digest digest) {
        return driver.getContent(StoragePaths.blobData(digest));
    }

    /** Stores small content (a manifest, a small blob a mirror fetched into memory) under its digest, whether or not it is there already. */
    public Uni<Void> put(Digest digest, byte[] content) {
        return driver.putContent(StoragePaths.blobData(digest), content);
    }

    /** Stores small content (a manifest) under its digest, unless it is there already. */
    public Uni<Void> putIfAbsent(Digest digest, byte[] content) {
        return size(digest).chain(existing -> existing.isPresent()
                ? Uni.createFrom().voidItem()
                : driver.putContent(StoragePaths.blobData(digest), content));
    }

    /**
     * Streams content its caller verified ({@code body} hashes to {@code digest}, and fails rather than end with other
     * bytes) into the blob's place, on storage that publishes a file at its commit only ({@link
     * StorageDriver#publishesOnCommit()}): readers see the whole blob or nothing, and a failed write leaves nothing
     * there. No upload folder and no copy into place. Completes with the size stored.
     */
    public Uni<Long> putVerified(Digest digest, Multi<Buffer> body) {
        if (!driver.publishesOnCommit()) {
            return Uni.createFrom().failure(new IllegalStateException(driver.name() + " storage writes in place: blobs go through an upload"));
        }
        return driver.writer(StoragePaths.blobData(digest), false).chain(writer -> writer.write(body)
                .chain(writer::commit)
                .onFailure().call(() -> writer.cancel().onFailure().recoverWithNull())
                .map(v -> writer.size()));
    }

    public Uni<Optional<String>> redirectUrl(RedirectRequest request, Digest digest) {
        return driver.redirectUrl(request, StoragePaths.blobData(digest));
    }
}
