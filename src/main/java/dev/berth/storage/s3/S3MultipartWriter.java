package dev.berth.storage.s3;

import java.nio.ByteBuffer;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import dev.berth.storage.FileWriter;
import dev.berth.storage.StorageException;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.DeleteObjectRequest;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

/**
 * One open multipart upload. Bytes are cut into parts of exactly {@code chunksize} as they arrive
 * (strict S3s such as R2 reject uneven parts), and up to {@code multipartconcurrency} parts go up at
 * once, so at most (concurrency + 1) parts are held in memory. What is left at {@link #close()} goes
 * to a small tail object beside the upload, read back by the next writer: finished parts are never
 * downloaded or copied again, however small the client's chunks.
 *
 * <p>A part that fails fails the write, once every other part in flight has settled (none may land
 * after the upload's lock is released). The writer is then broken: it stores no tail, so a resume
 * continues after the parts S3 holds in a row from part 1, which the bucket alone tells.
 */
final class S3MultipartWriter implements FileWriter {
    static final String META_UPLOAD_ID = "berth-upload-id";
    static final String META_PARTS = "berth-parts";
    static final String META_NONCE = "berth-nonce";

    private enum State { OPEN, CLOSED, COMMITTED, CANCELLED }

    private final S3Bucket bucket;
    private final String path;
    private final String key;
    private final String uploadId;
    private final long chunkSize;
    private final int concurrency;
    /** Finished parts by number; completions arrive on SDK threads. */
    private final Map<Integer, CompletedPart> parts = new ConcurrentSkipListMap<>();
    /** Parts sent and not yet answered, oldest first. */
    private final Deque<Uni<Void>> inFlight = new ConcurrentLinkedDeque<>();
    private final PartBuffer pending = new PartBuffer();
    private int nextPart;
    private volatile long accepted;
    /** The first part failure; the writer keeps no more state once it is set. */
    private volatile Throwable broken;
    /** Whether the tail object already holds exactly {@link #pending}, so close() need not write it. */
    private boolean tailStored;
    /** The stored tail's nonce while {@link #tailStored}; null for a tail written before nonces. */
    private String tailNonce;
    /**
     * Whether a tail object of this upload may exist, for commit and cancel to delete: not for a writer that started
     * the upload and never closed (a mirror's store), whose commit then costs no DeleteObject. A tail of another
     * upload at the same path is stale to every reader, and goes with the upload's folder.
     */
    private boolean tailMayExist;
    private State state = State.OPEN;

    /** A writer over {@code done} parts, with {@code tail} pending: the tail object's, with its nonce, if {@code tailNonce} is set. */
    S3MultipartWriter(S3Bucket bucket, String path, String uploadId, List<CompletedPart> done, long uploaded, byte[] tail,
            boolean tailStored, String tailNonce) {
        this.bucket = bucket;
        this.path = path;
        this.key = bucket.keys.key(path);
        this.uploadId = uploadId;
        this.chunkSize = bucket.settings.chunkSize();
        this.concurrency = bucket.settings.multipartConcurrency();
        done.forEach(p -> parts.put(p.partNumber(), p));
        this.nextPart = done.size() + 1;
        this.pending.append(tail);
        this.accepted = uploaded + tail.length;
        this.tailStored = tailStored;
        this.tailNonce = tailNonce;
        this.tailMayExist = tailStored || !done.isEmpty() || tail.length > 0;
    }

    @Override
    public long size() {
        return accepted;
    }

    @Override
    public Uni<Long> write(Multi<Buffer> data) {
        return Uni.createFrom().deferred(() -> {
            ensureOpen();
            // one buffer at a time: the next is requested only once a part, if one is full, has room to go up
            return data.onItem().transformToUniAndConcatenate(this::accept)
                    .collect().with(Collectors.summingLong(Long::longValue))
                    .call(this::settle)
                    .onFailure().call(e -> settle().onFailure().recoverWithNull());
        });
    }

    private Uni<Long> accept(Buffer buffer) {
        failIfBroken();
        // views, not copies: FileWriter's callers leave written buffers unchanged
        for (ByteBuffer piece : buffer.getByteBuf().nioBuffers()) {
            pending.append(piece);
        }
        accepted += buffer.length();
        tailStored = false;
        tailNonce = null;
        return sendFullParts().replaceWith((long) buffer.length());
    }

    private Uni<Void> sendFullParts() {
        if (pending.size() < chunkSize) {
            return Uni.createFrom().voidItem();
        }
        return room().invoke(() -> send(chunkSize)).chain(this::sendFullParts);
    }

    /** Completes once fewer than {@code concurrency} parts are in flight, failing if one failed. */
    private Uni<Void> room() {
        Uni<Void> oldest = inFlight.peekFirst();
        if (inFlight.size() < concurrency || oldest == null) {
            return Uni.createFrom().voidItem().invoke(this::failIfBroken);
        }
        return oldest.onFailure().recoverWithNull().chain(this::room);
    }

    /** Every part sent has been answered; fails with the first part failure. */
    private Uni<Void> settle() {
        Uni<Void> oldest = inFlight.peekFirst();
        if (oldest == null) {
            return Uni.createFrom().voidItem().invoke(this::failIfBroken);
        }
        return oldest.onFailure().recoverWithNull().chain(this::settle);
    }

    /**
     * Sends the first {@code length} pending bytes as the next part. They leave the pending buffer at
     * once; the part's views keep them in memory until S3 has them.
     */
    private void send(long length) {
        int number = nextPart++;
        UploadPartRequest request = UploadPartRequest.builder().bucket(bucket.name).key(key).uploadId(uploadId)
                .partNumber(number).contentLength(length).build();
        AsyncRequestBody body = takePending(length);
        AtomicReference<Uni<Void>> self = new AtomicReference<>();
        self.set(bucket.call("UploadPart", path, () -> bucket.s3.uploadPart(request, body))
                .invoke(response -> parts.put(number, CompletedPart.builder().partNumber(number).eTag(response.eTag()).build()))
                .onFailure().invoke(e -> {
                    if (broken == null) {
                        broken = e;
                    }
                })
                .replaceWithVoid()
                // removed before any waiter hears of it, so a waiter looking again sees the room
                .eventually(() -> inFlight.remove(self.get()))
                .memoize().indefinitely());
        inFlight.addLast(self.get());
        self.get().subscribe().with(ok -> { }, e -> { });
    }

    /** The first {@code length} pending bytes as a request body; they leave the pending buffer. */
    private AsyncRequestBody takePending(long length) {
        // "remaining": the views start mid-buffer where an earlier part ended
        AsyncRequestBody body = AsyncRequestBody.fromRemainingByteBuffersUnsafe(pending.first(length));
        pending.drop(length);
        return body;
    }

    private void failIfBroken() {
        Throwable e = broken;
        if (e instanceof RuntimeException r) {
            throw r;
        }
        if (e != null) {
            throw new StorageException("s3 UploadPart " + path + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Uni<Void> close() {
        return Uni.createFrom().deferred(() -> {
            ensureOpen();
            state = State.CLOSED;
            if (broken != null) {
                // the parts S3 holds are unknown here: every replica lists them again
                bucket.uploadStates.forget(path);
                return deleteTail();
            }
            if (tailStored) {
                if (tailNonce != null) {
                    bucket.uploadStates.keep(path, new S3UploadStates.Known(uploadId, List.copyOf(parts.values()), tailNonce));
                }
                return Uni.createFrom().voidItem();
            }
            // written even when empty: its fresh nonce tells this replica, at the next request, that no other wrote since
            String nonce = UUID.randomUUID().toString();
            List<CompletedPart> done = List.copyOf(parts.values());
            tailMayExist = true; // a put that fails may still have landed
            var put = bucket.put(bucket.keys.tailKey(path))
                    .metadata(Map.of(META_UPLOAD_ID, uploadId, META_PARTS, Integer.toString(done.size()), META_NONCE, nonce))
                    .build();
            return bucket.call("PutObject", path, () -> bucket.s3.putObject(put, AsyncRequestBody.fromBytes(pending.toBytes())))
                    .invoke(() -> {
                        tailStored = true;
                        bucket.uploadStates.keep(path, new S3UploadStates.Known(uploadId, done, nonce));
                    })
                    .replaceWithVoid();
        });
    }

    @Override
    public Uni<Void> commit() {
        return Uni.createFrom().deferred(() -> {
            ensureOpen();
            state = State.COMMITTED;
            bucket.uploadStates.forget(path);
            failIfBroken();
            Uni<Void> written = nextPart == 1 ? putWhole() : completeParts();
            // the tail goes whatever the outcome (committed or aborted, the upload has no use for it), meanwhile: one
            // round trip less; collectFailures lets the delete finish when the write fails, and passes that failure on
            return Uni.combine().all().unis(written, deleteTailIfAny()).collectFailures().discardItems();
        });
    }

    /** The pending bytes as the last part (S3 needs at least one; the last may be short), then the completion. */
    private Uni<Void> completeParts() {
        if (pending.size() > 0) {
            send(pending.size());
        }
        // never leave a half object
        return settle().chain(this::complete).onFailure().call(this::abortQuietly);
    }

    /**
     * A file under one chunk, no part sent yet: its bytes go up as one object, and the multipart upload
     * opened for it is aborted meanwhile. One round trip instead of a part and then the completion.
     */
    private Uni<Void> putWhole() {
        long length = pending.size();
        AsyncRequestBody body = takePending(length);
        Uni<Void> put = bucket.call("PutObject", path, () -> bucket.s3.putObject(bucket.put(key).contentLength(length).build(), body))
                .replaceWithVoid();
        return Uni.combine().all().unis(put, abortQuietly()).collectFailures().discardItems();
    }

    /** Aborts the multipart upload; one left behind is found and aborted by the upload's removal, or by purging. */
    private Uni<Void> abortQuietly() {
        return new S3Uploads(bucket).abort(path, key, uploadId).onFailure().recoverWithNull();
    }

    private Uni<Void> complete() {
        CompleteMultipartUploadRequest request = CompleteMultipartUploadRequest.builder().bucket(bucket.name).key(key).uploadId(uploadId)
                .multipartUpload(CompletedMultipartUpload.builder().parts(List.copyOf(parts.values())).build()).build();
        return bucket.call("CompleteMultipartUpload", path, () -> bucket.s3.completeMultipartUpload(request)).replaceWithVoid();
    }

    @Override
    public Uni<Void> cancel() {
        return Uni.createFrom().deferred(() -> {
            if (state == State.COMMITTED || state == State.CANCELLED) {
                return Uni.createFrom().voidItem();
            }
            state = State.CANCELLED;
            bucket.uploadStates.forget(path);
            return new S3Uploads(bucket).abort(path, key, uploadId).chain(this::deleteTailIfAny);
        });
    }

    private Uni<Void> deleteTailIfAny() {
        return tailMayExist ? deleteTail() : Uni.createFrom().voidItem();
    }

    private Uni<Void> deleteTail() {
        DeleteObjectRequest request = DeleteObjectRequest.builder().bucket(bucket.name).key(bucket.keys.tailKey(path))
                .overrideConfiguration(S3Bucket.QUICK).build();
        return bucket.call("DeleteObject", path, () -> bucket.s3.deleteObject(request)).replaceWithVoid()
                // a leftover tail is harmless (it names another upload or fewer parts); the file itself is final
                .onFailure().recoverWithNull();
    }

    private void ensureOpen() {
        if (state != State.OPEN) {
            throw new StorageException("s3 writer for " + path + " is already " + state.name().toLowerCase());
        }
    }
}
