package dev.berth.storage.s3;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import dev.berth.storage.PathNotFoundException;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsRequest;
import software.amazon.awssdk.services.s3.model.ListPartsRequest;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.Part;

/**
 * Opens writers: a new multipart upload, or one resumed from what the bucket alone says (the open
 * upload, its parts, and the tail object), so any replica can continue any upload. An upload this
 * replica served last is resumed from the state it kept ({@link S3UploadStates}) once the tail
 * object confirms it, in the one request that reads the tail anyway.
 */
final class S3Uploads {
    /** The tail object as stored: its bytes and what its metadata says they follow. */
    private record Tail(byte[] bytes, String uploadId, String parts, String nonce) {
        static final Tail NONE = new Tail(new byte[0], null, null, null);

        boolean follows(String upload, int partCount) {
            return upload.equals(uploadId) && Integer.toString(partCount).equals(parts);
        }
    }

    private final S3Bucket bucket;

    S3Uploads(S3Bucket bucket) {
        this.bucket = bucket;
    }

    Uni<S3MultipartWriter> start(String path) {
        String key = bucket.keys.key(path);
        return bucket.call("CreateMultipartUpload", path, () -> bucket.s3.createMultipartUpload(bucket.createUpload(key).build()))
                .map(r -> new S3MultipartWriter(bucket, path, r.uploadId(), List.of(), 0, new byte[0], false, null));
    }

    Uni<S3MultipartWriter> resume(String path) {
        S3UploadStates.Known known = bucket.uploadStates.get(path);
        if (known == null) {
            return resumeFromListing(path);
        }
        return tail(path).chain(tail -> {
            if (known.nonce().equals(tail.nonce()) && tail.follows(known.uploadId(), known.parts().size())) {
                long size = known.parts().size() * bucket.settings.chunkSize();
                return Uni.createFrom().item(new S3MultipartWriter(bucket, path, known.uploadId(), known.parts(), size, tail.bytes(),
                        true, known.nonce()));
            }
            // another replica wrote since (or committed, or cancelled): the bucket says where the upload stands
            bucket.uploadStates.forget(path);
            return resumeFromListing(path);
        });
    }

    private Uni<S3MultipartWriter> resumeFromListing(String path) {
        String key = bucket.keys.key(path);
        return latestUpload(path, key).chain(upload -> parts(path, key, upload.uploadId())
                .chain(parts -> tail(path)
                        .map(tail -> {
                            long size = parts.stream().mapToLong(Part::size).sum();
                            List<CompletedPart> done = parts.stream()
                                    .map(p -> CompletedPart.builder().partNumber(p.partNumber()).eTag(p.eTag()).build()).toList();
                            // a tail written for another upload, or before later parts took its bytes (a writer that died mid-request), is stale
                            boolean current = tail.follows(upload.uploadId(), parts.size());
                            return new S3MultipartWriter(bucket, path, upload.uploadId(), done, size,
                                    current ? tail.bytes() : new byte[0], current, current ? tail.nonce() : null);
                        })));
    }

    private Uni<MultipartUpload> latestUpload(String path, String key) {
        return uploadsUnder(path, key)
                .map(uploads -> uploads.stream().filter(u -> u.key().equals(key))
                        .max(Comparator.comparing(MultipartUpload::initiated))
                        .orElseThrow(() -> new PathNotFoundException(path)));
    }

    private Uni<List<MultipartUpload>> uploadsUnder(String path, String prefix) {
        ListMultipartUploadsRequest request = ListMultipartUploadsRequest.builder().bucket(bucket.name).prefix(prefix)
                .overrideConfiguration(S3Bucket.QUICK).build();
        return pages(path, request).collect().asList();
    }

    private Multi<MultipartUpload> pages(String path, ListMultipartUploadsRequest request) {
        return bucket.pages("ListMultipartUploads", path, () -> bucket.s3.listMultipartUploadsPaginator(request))
                .onItem().transformToIterable(page -> page.uploads());
    }

    private Uni<List<Part>> parts(String path, String key, String uploadId) {
        ListPartsRequest request = ListPartsRequest.builder().bucket(bucket.name).key(key).uploadId(uploadId)
                .overrideConfiguration(S3Bucket.QUICK).build();
        return bucket.pages("ListParts", path, () -> bucket.s3.listPartsPaginator(request))
                .onItem().transformToIterable(page -> page.parts())
                .collect().asList()
                .map(parts -> {
                    List<Part> sorted = new ArrayList<>(parts);
                    sorted.sort(Comparator.comparing(Part::partNumber));
                    // concurrent parts of a failed request may have left a gap: what follows it is sent again
                    int inARow = 0;
                    while (inARow < sorted.size() && sorted.get(inARow).partNumber() == inARow + 1) {
                        inARow++;
                    }
                    return sorted.subList(0, inARow);
                });
    }

    /** The bytes after the last part, as the last {@code close()} stored them, with what they follow. */
    private Uni<Tail> tail(String path) {
        GetObjectRequest request = GetObjectRequest.builder().bucket(bucket.name).key(bucket.keys.tailKey(path)).build();
        return bucket.call("GetObject", path, () -> bucket.s3.getObject(request, AsyncResponseTransformer.toBytes()))
                .map(r -> {
                    Map<String, String> meta = r.response().metadata();
                    return new Tail(r.asByteArrayUnsafe(), meta.get(S3MultipartWriter.META_UPLOAD_ID),
                            meta.get(S3MultipartWriter.META_PARTS), meta.get(S3MultipartWriter.META_NONCE));
                })
                .onFailure(PathNotFoundException.class).recoverWithItem(Tail.NONE);
    }

    /** Every open upload of {@code path} or below it, page by page. */
    Multi<MultipartUpload> listUnder(String path) {
        ListMultipartUploadsRequest request = ListMultipartUploadsRequest.builder().bucket(bucket.name).prefix(bucket.keys.key(path))
                .overrideConfiguration(S3Bucket.QUICK).build();
        return pages(path, request).filter(u -> bucket.keys.covers(path, u.key()));
    }

    /** Aborts every open upload of {@code path} or below it; the number aborted. */
    Uni<Integer> abortAll(String path) {
        return uploadsUnder(path, bucket.keys.key(path))
                .onItem().transformToMulti(list -> Multi.createFrom().iterable(list))
                .filter(u -> bucket.keys.covers(path, u.key()))
                .onItem().transformToUniAndConcatenate(u -> abort(path, u.key(), u.uploadId()).replaceWith(1))
                .collect().with(Collectors.summingInt(Integer::intValue));
    }

    Uni<Void> abort(String path, String key, String uploadId) {
        AbortMultipartUploadRequest request = AbortMultipartUploadRequest.builder().bucket(bucket.name).key(key).uploadId(uploadId)
                .overrideConfiguration(S3Bucket.QUICK).build();
        return bucket.call("AbortMultipartUpload", path, () -> bucket.s3.abortMultipartUpload(request)).replaceWithVoid()
                // already gone (a concurrent abort or complete): the outcome wanted
                .onFailure(PathNotFoundException.class).recoverWithNull();
    }
}
