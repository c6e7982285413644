package dev.berth.storage.s3;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.DeleteObjectRequest;
import software.amazon.awssdk.services.s3.model.UploadPartCopyRequest;

/**
 * Moves by server-side copy, then deletes the source: one CopyObject up to
 * {@code multipartcopythresholdsize}, above it concurrent UploadPartCopy ranges (CopyObject stops at
 * 5 GiB). No byte passes through the registry.
 */
final class S3Mover {
    static final long MAX_PARTS = 10_000;
    private final S3Bucket bucket;

    S3Mover(S3Bucket bucket) {
        this.bucket = bucket;
    }

    /** Moves {@code source}, of {@code size} bytes. */
    Uni<Void> move(String source, String destination, long size) {
        return copy(source, destination, size).chain(() -> {
            DeleteObjectRequest delete = DeleteObjectRequest.builder().bucket(bucket.name).key(bucket.keys.key(source))
                    .overrideConfiguration(S3Bucket.QUICK).build();
            return bucket.call("DeleteObject", source, () -> bucket.s3.deleteObject(delete));
        }).replaceWithVoid();
    }

    /** Copies {@code source}, of {@code size} bytes, to {@code destination}. */
    Uni<Void> copy(String source, String destination, long size) {
        String from = bucket.keys.key(source);
        String to = bucket.keys.key(destination);
        return size <= bucket.settings.multipartCopyThresholdSize() ? copy(source, from, to) : multipartCopy(source, from, to, size);
    }

    private Uni<Void> copy(String source, String from, String to) {
        return bucket.call("CopyObject", source, () -> bucket.s3.copyObject(bucket.copy(from, to).build())).replaceWithVoid();
    }

    private Uni<Void> multipartCopy(String source, String from, String to, long size) {
        // S3 allows 10,000 parts: very large objects get larger ranges than configured
        long chunk = Math.max(bucket.settings.multipartCopyChunkSize(), (size + MAX_PARTS - 1) / MAX_PARTS);
        int count = (int) ((size + chunk - 1) / chunk);
        return bucket.call("CreateMultipartUpload", source, () -> bucket.s3.createMultipartUpload(bucket.createUpload(to).build()))
                .chain(upload -> Multi.createFrom().range(0, count)
                        .onItem().transformToUni(i -> copyPart(source, from, to, upload.uploadId(), i + 1, i * chunk, Math.min(size, (i + 1) * chunk) - 1))
                        .merge(bucket.settings.multipartCopyMaxConcurrency())
                        .collect().asList()
                        .chain(parts -> complete(source, to, upload.uploadId(), parts))
                        .onFailure().call(() -> new S3Uploads(bucket).abort(source, to, upload.uploadId()).onFailure().recoverWithNull()));
    }

    private Uni<CompletedPart> copyPart(String source, String from, String to, String uploadId, int number, long first, long last) {
        UploadPartCopyRequest request = UploadPartCopyRequest.builder().sourceBucket(bucket.name).sourceKey(from)
                .destinationBucket(bucket.name).destinationKey(to).uploadId(uploadId).partNumber(number)
                .copySourceRange("bytes=" + first + "-" + last).build();
        return bucket.call("UploadPartCopy", source, () -> bucket.s3.uploadPartCopy(request))
                .map(r -> CompletedPart.builder().partNumber(number).eTag(r.copyPartResult().eTag()).build());
    }

    private Uni<Void> complete(String source, String to, String uploadId, List<CompletedPart> parts) {
        List<CompletedPart> sorted = new ArrayList<>(parts);
        sorted.sort(Comparator.comparing(CompletedPart::partNumber));
        CompleteMultipartUploadRequest request = CompleteMultipartUploadRequest.builder().bucket(bucket.name).key(to).uploadId(uploadId)
                .multipartUpload(CompletedMultipartUpload.builder().parts(sorted).build()).build();
        return bucket.call("CompleteMultipartUpload", source, () -> bucket.s3.completeMultipartUpload(request)).replaceWithVoid();
    }
}
