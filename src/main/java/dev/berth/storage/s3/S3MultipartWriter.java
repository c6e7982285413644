package dev.berth.storage.s3;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 * (strict S3s such as R2 reject uneven parts), so at most one part is held in memory. What is left
 * at {@link #close()} goes to a small tail object beside the upload, read back by the next writer:
 * finished parts are never downloaded or copied again, however small the client's chunks.
 */
final class S3MultipartWriter implements FileWriter {
    static final String META_UPLOAD_ID = "berth-upload-id";
    static final String META_PARTS = "berth-parts";

    private enum State { OPEN, CLOSED, COMMITTED, CANCELLED }

    private final S3Bucket bucket;
    private final String path;
    private final String key;
    private final String uploadId;
    private final long chunkSize;
    private final List<CompletedPart> parts;
    private final PartBuffer pending = new PartBuffer();
    private volatile long uploaded;
    private volatile long buffered;
    /** Whether the tail object already holds exactly {@link #pending}, so close() need not write it. */
    private boolean tailStored;
    private State state = State.OPEN;

    S3MultipartWriter(S3Bucket bucket, String path, String uploadId, List<CompletedPart> parts, long uploaded, byte[] tail) {
        this.bucket = bucket;
        this.path = path;
        this.key = bucket.keys.key(path);
        this.uploadId = uploadId;
        this.chunkSize = bucket.settings.chunkSize();
        this.parts = new ArrayList<>(parts);
        this.uploaded = uploaded;
        this.pending.append(tail);
        this.buffered = tail.length;
        this.tailStored = tail.length > 0;
    }

    @Override
    public long size() {
        return uploaded + buffered;
    }

    @Override
    public Uni<Long> write(Multi<Buffer> data) {
        return Uni.createFrom().deferred(() -> {
            ensureOpen();
            // one buffer at a time: the next is requested only after a full part, if any, is uploaded
            return data.onItem().transformToUniAndConcatenate(this::accept)
                    .collect().with(Collectors.summingLong(Long::longValue));
        });
    }

    private Uni<Long> accept(Buffer buffer) {
        pending.append(buffer.getBytes());
        buffered = pending.size();
        tailStored = false;
        return uploadFullParts().replaceWith((long) buffer.length());
    }

    private Uni<Void> uploadFullParts() {
        if (pending.size() < chunkSize) {
            return Uni.createFrom().voidItem();
        }
        return uploadPart(chunkSize).chain(this::uploadFullParts);
    }

    /** Uploads the first {@code length} pending bytes as the next part; they leave memory only once S3 has them. */
    private Uni<Void> uploadPart(long length) {
        int number = parts.size() + 1;
        UploadPartRequest request = UploadPartRequest.builder().bucket(bucket.name).key(key).uploadId(uploadId)
                .partNumber(number).contentLength(length).build();
        // "remaining": the views start mid-buffer where an earlier part ended
        AsyncRequestBody body = AsyncRequestBody.fromRemainingByteBuffersUnsafe(pending.first(length));
        return bucket.call("UploadPart", path, () -> bucket.s3.uploadPart(request, body))
                .invoke(response -> {
                    parts.add(CompletedPart.builder().partNumber(number).eTag(response.eTag()).build());
                    pending.drop(length);
                    uploaded += length;
                    buffered = pending.size();
                })
                .replaceWithVoid();
    }

    @Override
    public Uni<Void> close() {
        return Uni.createFrom().deferred(() -> {
            ensureOpen();
            state = State.CLOSED;
            if (pending.size() == 0 || tailStored) {
                // an older tail, if any, names fewer parts than there are now, so a resume ignores it
                return Uni.createFrom().voidItem();
            }
            var put = bucket.put(bucket.keys.tailKey(path))
                    .metadata(Map.of(META_UPLOAD_ID, uploadId, META_PARTS, Integer.toString(parts.size())))
                    .build();
            return bucket.call("PutObject", path, () -> bucket.s3.putObject(put, AsyncRequestBody.fromBytes(pending.toBytes())))
                    .invoke(() -> tailStored = true)
                    .replaceWithVoid();
        });
    }

    @Override
    public Uni<Void> commit() {
        return Uni.createFrom().deferred(() -> {
            ensureOpen();
            state = State.COMMITTED;
            // S3 needs at least one part; the last one may be short, even empty
            Uni<Void> last = pending.size() > 0 || parts.isEmpty() ? uploadPart(pending.size()) : Uni.createFrom().voidItem();
            return last.chain(this::complete)
                    // never leave a half object, nor a tail that names an aborted upload
                    .onFailure().call(e -> new S3Uploads(bucket).abort(path, key, uploadId).onFailure().recoverWithNull()
                            .chain(this::deleteTail))
                    .chain(this::deleteTail);
        });
    }

    private Uni<Void> complete() {
        CompleteMultipartUploadRequest request = CompleteMultipartUploadRequest.builder().bucket(bucket.name).key(key).uploadId(uploadId)
                .multipartUpload(CompletedMultipartUpload.builder().parts(parts).build()).build();
        return bucket.call("CompleteMultipartUpload", path, () -> bucket.s3.completeMultipartUpload(request)).replaceWithVoid();
    }

    @Override
    public Uni<Void> cancel() {
        return Uni.createFrom().deferred(() -> {
            if (state == State.COMMITTED || state == State.CANCELLED) {
                return Uni.createFrom().voidItem();
            }
            state = State.CANCELLED;
            return new S3Uploads(bucket).abort(path, key, uploadId).chain(this::deleteTail);
        });
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
