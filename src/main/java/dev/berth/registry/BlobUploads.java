package dev.berth.registry;

import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import dev.berth.storage.FileWriter;
import dev.berth.storage.PathNotFoundException;
import dev.berth.storage.StorageDriver;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;

/**
 * Blob upload sessions ({@code _uploads/<uuid>}): start, append streamed chunks, complete with a
 * digest check, cancel. All state is in storage, so any replica, or a restarted one, can continue.
 * Data is hashed as it streams and the finished digest saved at each request end, so completing
 * does not re-read the blob; only when the chain was broken (a failed request, or a chunk that went
 * to another replica) is the blob hashed again from storage.
 */
@ApplicationScoped
public class BlobUploads {
    private static final Logger LOG = Logger.getLogger(BlobUploads.class);
    /** The digest Berth computes while streaming; others are computed at completion. */
    private static final DigestAlgorithm STREAMING = DigestAlgorithm.SHA256;

    @Inject
    StorageDriver driver;
    @Inject
    BlobStore blobs;
    @Inject
    RepositoryBlobs repositoryBlobs;
    @Inject
    UploadDigests digests;

    /** Where an upload stands. */
    public record Status(String repository, String uuid, long offset, String startedAt) {
    }

    public Uni<Status> start(String repository) {
        String uuid = UUID.randomUUID().toString();
        String startedAt = UploadToken.now();
        return driver.putContent(StoragePaths.uploadStartedAt(repository, uuid), UploadToken.utf8(startedAt))
                .chain(() -> driver.writer(StoragePaths.uploadData(repository, uuid), false))
                .chain(FileWriter::close)
                .map(v -> new Status(repository, uuid, 0, startedAt));
    }

    public Uni<Status> status(String repository, String uuid) {
        return startedAt(repository, uuid).chain(startedAt -> openWriter(repository, uuid)
                .chain(w -> w.close().map(v -> new Status(repository, uuid, w.size(), startedAt))));
    }

    /**
     * Appends {@code body} at {@code offset}, which must be where the upload stands (416 otherwise,
     * and the body is not read).
     */
    public Uni<Status> append(String repository, String uuid, long offset, Multi<Buffer> body) {
        return startedAt(repository, uuid).chain(startedAt -> openWriter(repository, uuid)
                .chain(w -> checkOffset(w, offset)
                        .chain(() -> write(repository, uuid, w, body))
                        .onFailure().call(() -> w.close().onFailure().recoverWithNull())
                        .call(w::close)
                        .map(v -> new Status(repository, uuid, w.size(), startedAt))));
    }

    /**
     * Appends the optional last chunk, checks the content against {@code expected} and, when it
     * matches, moves it into the blob store and links it into the repository. On a mismatch the
     * upload is discarded: nothing is linked or readable.
     */
    public Uni<Long> complete(String repository, String uuid, long offset, Multi<Buffer> body, Digest expected) {
        String data = StoragePaths.uploadData(repository, uuid);
        return startedAt(repository, uuid).chain(startedAt -> openWriter(repository, uuid)
                .chain(w -> checkOffset(w, offset)
                        .chain(() -> write(repository, uuid, w, body))
                        .onFailure().call(() -> w.close().onFailure().recoverWithNull())
                        .chain(digester -> w.commit()
                                .chain(() -> verify(repository, uuid, data, w.size(), digester, expected)))
                        .chain(() -> place(repository, uuid, data, expected))
                        .map(v -> w.size())));
    }

    public Uni<Void> cancel(String repository, String uuid) {
        return startedAt(repository, uuid)
                .chain(() -> driver.writer(StoragePaths.uploadData(repository, uuid), true)
                        .chain(FileWriter::cancel)
                        .onFailure(PathNotFoundException.class).recoverWithNull())
                .chain(() -> Links.deleteIfPresent(driver, StoragePaths.upload(repository, uuid)));
    }

    private Uni<String> startedAt(String repository, String uuid) {
        return driver.getContent(StoragePaths.uploadStartedAt(repository, uuid))
                .map(bytes -> new String(bytes, java.nio.charset.StandardCharsets.UTF_8))
                .onFailure(PathNotFoundException.class).transform(e -> uploadUnknown(uuid));
    }

    private Uni<FileWriter> openWriter(String repository, String uuid) {
        return driver.writer(StoragePaths.uploadData(repository, uuid), true)
                .onFailure(PathNotFoundException.class).transform(e -> uploadUnknown(uuid));
    }

    private static Uni<Void> checkOffset(FileWriter w, long offset) {
        if (w.size() != offset) {
            return Uni.createFrom().failure(new RegistryException(ErrorCode.RANGE_INVALID,
                    "upload is at offset " + w.size() + ", not " + offset, java.util.Map.of("offset", w.size())));
        }
        return Uni.createFrom().voidItem();
    }

    /**
     * Streams {@code body} into the writer, hashing it when the running digest of the data before it
     * is at hand; after, keeps the digest for the next request and saves the finished digest at the
     * new offset. Completes with the digester, or null when the chain is broken and completion must
     * re-hash from storage.
     */
    private Uni<Digester> write(String repository, String uuid, FileWriter w, Multi<Buffer> body) {
        long start = w.size();
        Digester digester = start == 0 ? Digester.start(STREAMING) : digests.take(uuid, start);
        Multi<Buffer> hashed = digester == null ? body : body.invoke(digester::update);
        return w.write(hashed).chain(written -> {
            if (digester == null || digester.length() != w.size()) {
                return Uni.createFrom().item((Digester) null);
            }
            digests.keep(uuid, digester);
            if (written == 0) {
                return Uni.createFrom().item(digester);
            }
            return driver.putContent(StoragePaths.uploadDigestState(repository, uuid, STREAMING, w.size()),
                    UploadToken.utf8(digester.digest().toString())).replaceWith(digester);
        });
    }

    private Uni<Void> verify(String repository, String uuid, String data, long size, Digester digester, Digest expected) {
        Uni<Digest> actual;
        if (digester != null && digester.algorithm() == expected.algorithm() && digester.length() == size) {
            actual = Uni.createFrom().item(digester.digest());
        } else {
            actual = savedDigest(repository, uuid, size, expected.algorithm())
                    .chain(saved -> saved.isPresent() ? Uni.createFrom().item(saved.get()) : rehash(data, size, expected.algorithm()));
        }
        return actual.chain(digest -> {
            if (digest.equals(expected)) {
                return Uni.createFrom().voidItem();
            }
            LOG.debugf("upload %s: digest %s does not match %s; discarding", uuid, digest, expected);
            return Links.deleteIfPresent(driver, StoragePaths.upload(repository, uuid))
                    .chain(() -> Uni.createFrom().failure(new RegistryException(ErrorCode.DIGEST_INVALID,
                            "provided digest did not match uploaded content", java.util.Map.of("digest", expected.toString()))));
        });
    }

    /** The finished digest an earlier request saved for exactly {@code size} bytes, if any. */
    private Uni<Optional<Digest>> savedDigest(String repository, String uuid, long size, DigestAlgorithm algorithm) {
        if (algorithm != STREAMING || size == 0) {
            return Uni.createFrom().item(Optional.empty());
        }
        return driver.getContent(StoragePaths.uploadDigestState(repository, uuid, STREAMING, size))
                .map(bytes -> {
                    try {
                        return Optional.of(Digest.parse(new String(bytes, java.nio.charset.StandardCharsets.UTF_8).trim()));
                    } catch (RegistryException e) {
                        // not a digest (for example a state saved by an older Berth): hash again
                        return Optional.<Digest>empty();
                    }
                })
                .onFailure(PathNotFoundException.class).recoverWithItem(Optional.empty());
    }

    /** Hashes the committed upload from storage. */
    private Uni<Digest> rehash(String data, long size, DigestAlgorithm algorithm) {
        Digester digester = Digester.start(algorithm);
        return driver.read(data, 0, size)
                .invoke(digester::update)
                .collect().last()
                .map(ignored -> digester.digest());
    }

    /** Moves verified content into the blob store (unless already there) and links it. */
    private Uni<Void> place(String repository, String uuid, String data, Digest digest) {
        return blobs.size(digest)
                .chain(existing -> existing.isPresent()
                        ? Uni.createFrom().voidItem()
                        : driver.move(data, StoragePaths.blobData(digest)))
                .chain(() -> repositoryBlobs.link(repository, digest))
                .chain(() -> Links.deleteIfPresent(driver, StoragePaths.upload(repository, uuid)));
    }

    static RegistryException uploadUnknown(String uuid) {
        return new RegistryException(ErrorCode.BLOB_UPLOAD_UNKNOWN, "blob upload unknown to registry", java.util.Map.of("uuid", Digest.abbreviate(uuid)));
    }
}
