package dev.berth.registry;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

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
 *
 * <p>Every request that writes holds the upload's lock ({@link UploadLocks}) from before it opens
 * the data until it has closed it, on every path, so writes never interleave and completion moves
 * data that no other request can still reach. Data is hashed as it streams; completion trusts that
 * running digest only when it was kept in this process for exactly the stored size, else it hashes
 * the stored bytes again. What is linked is always what is stored.
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
    @Inject
    UploadLocks locks;

    /** Where an upload stands. */
    public record Status(String repository, String uuid, long offset, String startedAt) {
    }

    /** An upload opened for writing by one request: its lock, and its writer while not yet closed. */
    private record OpenUpload(String repository, String uuid, String startedAt, UploadLocks.Lock lock, FileWriter writer,
            AtomicBoolean writerDone) {
        String data() {
            return StoragePaths.uploadData(repository, uuid);
        }

        Status status() {
            return new Status(repository, uuid, writer.size(), startedAt);
        }

        /** Closes (keeping the data resumable) or commits the writer; only the first call acts. */
        Uni<Void> finishWriter(boolean commit) {
            if (!writerDone.compareAndSet(false, true)) {
                return Uni.createFrom().voidItem();
            }
            return commit ? writer.commit() : writer.close();
        }

        /** Every path ends here: the writer closed (quietly, if nothing else did) and the lock freed. */
        Uni<Void> release() {
            return finishWriter(false).onFailure().invoke(e -> LOG.debugf("upload %s: close after failure: %s", uuid, e.getMessage()))
                    .onFailure().recoverWithNull()
                    .eventually(lock::release);
        }
    }

    public Uni<Status> start(String repository) {
        String uuid = UUID.randomUUID().toString();
        String startedAt = UploadToken.now();
        // independent writes, so at once (a start cut half-way leaves objects that upload purging removes)
        return Uni.combine().all().unis(
                driver.putContent(StoragePaths.uploadStartedAt(repository, uuid), UploadToken.utf8(startedAt)),
                driver.writer(StoragePaths.uploadData(repository, uuid), false).chain(FileWriter::close))
                .discardItems()
                .map(v -> new Status(repository, uuid, 0, startedAt));
    }

    public Uni<Status> status(String repository, String uuid) {
        return startedAt(repository, uuid).chain(startedAt -> openWriter(repository, uuid)
                .chain(w -> w.close().map(v -> new Status(repository, uuid, w.size(), startedAt))));
    }

    /**
     * Appends {@code body} where the upload stands ({@code at}'s offset, which must be the stored one:
     * 416 otherwise, and the body is not read).
     */
    public Uni<Status> append(Status at, Multi<Buffer> body) {
        return toTheEnd(open(at).chain(upload -> write(upload, body)
                .chain(digester -> upload.finishWriter(false))
                .map(v -> upload.status())
                .onTermination().call(upload::release)));
    }

    /**
     * Appends the optional last chunk, checks the stored content against {@code expected} and, when
     * it matches, moves it into the blob store and links it into the repository. On a mismatch the
     * upload is discarded: nothing is linked or readable.
     */
    public Uni<Long> complete(Status at, Multi<Buffer> body, Digest expected) {
        return toTheEnd(open(at).chain(upload -> write(upload, body)
                .call(() -> upload.finishWriter(true))
                // whether the blob is stored already is asked while the upload is verified: one round trip less
                .chain(digester -> Uni.combine().all().unis(verify(upload, digester, expected), blobs.size(expected)).asTuple())
                .call(verified -> place(upload, expected, verified.getItem1(), verified.getItem2()))
                .map(verified -> verified.getItem1())
                .onTermination().call((size, failure, cancelled) -> {
                    if (size == null) {
                        return upload.release();
                    }
                    removeAfterAnswer(upload);
                    return Uni.createFrom().voidItem();
                })));
    }

    public Uni<Void> cancel(String repository, String uuid) {
        return startedAt(repository, uuid)
                .chain(() -> driver.writer(StoragePaths.uploadData(repository, uuid), true)
                        .chain(FileWriter::cancel)
                        .onFailure(PathNotFoundException.class).recoverWithNull())
                .chain(() -> Links.deleteIfPresent(driver, StoragePaths.upload(repository, uuid)));
    }

    /**
     * Runs a write to its end even when the caller cancels (the client went away while the upload
     * was being opened): a lock or writer acquired after the cancel would otherwise never be released.
     * The body stream fails when the client is gone, so the write ends soon after.
     */
    private static <T> Uni<T> toTheEnd(Uni<T> operation) {
        return Uni.createFrom().emitter(emitter -> operation.subscribe().with(emitter::complete, emitter::fail));
    }

    /** Locks the upload, then opens its data at {@code at}'s offset; the lock is freed again if opening fails. */
    private Uni<OpenUpload> open(Status at) {
        String repository = at.repository();
        String uuid = at.uuid();
        return startedAt(at).chain(startedAt -> locks.acquire(repository, uuid)
                .chain(lock -> openWriter(repository, uuid)
                        .map(w -> new OpenUpload(repository, uuid, startedAt, lock, w, new AtomicBoolean()))
                        .onFailure().call(lock::release)))
                .call(upload -> checkOffset(upload.writer(), at.offset()).onFailure().call(upload::release));
    }

    /**
     * When the upload started as its state token says: the registry signed it, so the upload existed,
     * and opening its data tells whether it still does (one storage read less per request). Read from
     * storage when the caller has no token.
     */
    private Uni<String> startedAt(Status at) {
        if (at.startedAt() == null || at.startedAt().isEmpty() || locks.completed(at.uuid())) {
            return startedAt(at.repository(), at.uuid());
        }
        return Uni.createFrom().item(at.startedAt());
    }

    /** When the upload started; unknown once it is complete, even while its objects are still being removed. */
    private Uni<String> startedAt(String repository, String uuid) {
        if (locks.completed(uuid)) {
            return Uni.createFrom().failure(uploadUnknown(uuid));
        }
        return driver.getContent(StoragePaths.uploadStartedAt(repository, uuid))
                .map(bytes -> new String(bytes, StandardCharsets.UTF_8))
                .onFailure(PathNotFoundException.class).transform(e -> uploadUnknown(uuid));
    }

    private Uni<FileWriter> openWriter(String repository, String uuid) {
        return driver.writer(StoragePaths.uploadData(repository, uuid), true)
                .onFailure(PathNotFoundException.class).transform(e -> uploadUnknown(uuid));
    }

    private static Uni<Void> checkOffset(FileWriter w, long offset) {
        if (w.size() != offset) {
            return Uni.createFrom().failure(new RegistryException(ErrorCode.RANGE_INVALID,
                    "upload is at offset " + w.size() + ", not " + offset, Map.of("offset", w.size())));
        }
        return Uni.createFrom().voidItem();
    }

    /**
     * Streams {@code body} into the writer, hashing it when the running digest of the data before it
     * is at hand, and keeps the digest for the next request. Completes with the digester, or null
     * when the chain is broken and completion must hash the stored bytes.
     */
    private Uni<Digester> write(OpenUpload upload, Multi<Buffer> body) {
        FileWriter w = upload.writer();
        long start = w.size();
        Digester digester = start == 0 ? Digester.start(STREAMING) : digests.at(upload.uuid(), start);
        Multi<Buffer> hashed = digester == null ? body : body.invoke(digester::update);
        return w.write(hashed).map(written -> {
            if (digester == null || digester.length() != w.size()) {
                return null;
            }
            digests.keep(upload.uuid(), digester);
            return digester;
        });
    }

    /**
     * The committed data's size, once its stored size is the size written and its stored bytes hash
     * to {@code expected}; otherwise the upload is discarded and DIGEST_INVALID raised.
     */
    private Uni<Long> verify(OpenUpload upload, Digester digester, Digest expected) {
        long written = upload.writer().size();
        return driver.stat(upload.data()).chain(stored -> {
            if (stored.size() != written) {
                LOG.warnf("upload %s: %d bytes stored, %d written; discarding", upload.uuid(), stored.size(), written);
                return discard(upload, expected);
            }
            boolean trusted = digester != null && digester.algorithm() == expected.algorithm() && digester.length() == written;
            Uni<Digest> actual = trusted ? Uni.createFrom().item(digester.digest()) : rehash(upload.data(), written, expected.algorithm());
            return actual.chain(digest -> {
                if (!digest.equals(expected)) {
                    LOG.debugf("upload %s: digest %s does not match %s; discarding", upload.uuid(), digest, expected);
                    return discard(upload, expected);
                }
                return Uni.createFrom().item(written);
            });
        });
    }

    private <T> Uni<T> discard(OpenUpload upload, Digest expected) {
        return Links.deleteIfPresent(driver, StoragePaths.upload(upload.repository(), upload.uuid()))
                .chain(() -> Uni.createFrom().failure(new RegistryException(ErrorCode.DIGEST_INVALID,
                        "provided digest did not match uploaded content", Map.of("digest", expected.toString()))));
    }

    /** Hashes the committed upload from storage. */
    private Uni<Digest> rehash(String data, long size, DigestAlgorithm algorithm) {
        Digester digester = Digester.start(algorithm);
        return driver.read(data, 0, size)
                .invoke(digester::update)
                .collect().last()
                .map(ignored -> digester.digest());
    }

    /**
     * Moves verified content into the blob store and links it. A blob already stored with the same
     * size is kept (content addressing: it is the same bytes); one of another size cannot be, and is
     * replaced atomically by the verified data.
     */
    private Uni<Void> place(OpenUpload upload, Digest digest, long size, Optional<Long> existing) {
        return existing.isPresent() && existing.get() == size
                ? repositoryBlobs.link(upload.repository(), digest, size).chain(() -> keepIfCollected(upload, digest, size))
                // the upload's data may stay where it was (S3 copies it): it goes with the upload's removal
                : driver.place(upload.data(), StoragePaths.blobData(digest), size)
                        .chain(() -> repositoryBlobs.link(upload.repository(), digest, size));
    }

    /**
     * The blob is linked, so the client is answered now; the upload's objects are removed afterwards,
     * still under its lock: about four storage round trips that a distant S3 would otherwise add to
     * every completion. A request for the upload meanwhile finds it unknown, as after the removal. A
     * removal cut short (a failure, a shutdown) leaves objects that upload purging deletes.
     */
    private void removeAfterAnswer(OpenUpload upload) {
        upload.lock().finishing();
        Links.deleteIfPresent(driver, StoragePaths.upload(upload.repository(), upload.uuid()))
                .onFailure().invoke(e -> LOG.warnf("upload %s: not removed after completion (purging will): %s", upload.uuid(), e.getMessage()))
                .onFailure().recoverWithNull()
                .eventually(upload::release)
                .subscribe().with(v -> {
                }, e -> LOG.debugf("upload %s: release after completion: %s", upload.uuid(), e.getMessage()));
    }

    /**
     * The blob was already stored, so the upload linked it without moving its own copy. A garbage
     * collection may have swept it before it saw the new (fresh) link: looked at again after linking,
     * a blob that is gone is replaced by the upload's data, still in place (docs/gc.md).
     */
    private Uni<Void> keepIfCollected(OpenUpload upload, Digest digest, long size) {
        return blobs.size(digest).chain(now -> now.isPresent() && now.get() == size
                ? Uni.createFrom().voidItem()
                : driver.place(upload.data(), StoragePaths.blobData(digest), size));
    }

    static RegistryException uploadUnknown(String uuid) {
        return new RegistryException(ErrorCode.BLOB_UPLOAD_UNKNOWN, "blob upload unknown to registry", Map.of("uuid", Digest.abbreviate(uuid)));
    }
}
