package dev.berth.storage.s3;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import org.jboss.logging.Logger;

import dev.berth.storage.BucketKeys;
import dev.berth.storage.FileInfo;
import dev.berth.storage.FileWriter;
import dev.berth.storage.OpenUploads;
import dev.berth.storage.PathNotFoundException;
import dev.berth.storage.RedirectRequest;
import dev.berth.storage.StorageDriver;
import dev.berth.storage.StorageException;
import io.quarkus.cache.Cache;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.DeleteObjectsRequest;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadBucketRequest;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.presigner.model.GetObjectPresignRequest;

/**
 * Files as objects in one S3 bucket, keyed as Distribution keys them. Uploads are multipart
 * uploads ({@link S3MultipartWriter}), moves are server-side copies ({@link S3Mover}).
 */
public final class S3Driver implements StorageDriver, BucketKeys, OpenUploads, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(S3Driver.class);
    private final S3Clients clients;
    private final S3Bucket bucket;
    private final S3AsyncClient reads;
    private final S3Keys keys;
    private final S3Mover mover;
    private final S3Uploads uploads;
    /** Keys per DeleteObjects request: S3's maximum. */
    static final int DELETE_BATCH = 1000;
    /** Cleared when the store answers 501 to If-None-Match. */
    private volatile boolean conditionalWrites = true;

    /** {@code uploadStates}: the cache "s3-upload-states", of the states of uploads this replica served. */
    public S3Driver(S3Clients clients, S3Settings settings, Cache uploadStates) {
        this.clients = clients;
        this.bucket = new S3Bucket(clients.client(), settings, new S3UploadStates(uploadStates));
        this.reads = clients.reads();
        this.keys = bucket.keys;
        this.mover = new S3Mover(bucket);
        this.uploads = new S3Uploads(bucket);
    }

    @Override
    public String name() {
        return "s3";
    }

    /** A new file is a multipart upload until completed; an abandoned one is aborted by upload purging. */
    @Override
    public boolean publishesOnCommit() {
        return true;
    }

    @Override
    public String bucketKey(String path) {
        return keys.key(path);
    }

    @Override
    public Uni<byte[]> getContent(String path) {
        GetObjectRequest request = GetObjectRequest.builder().bucket(bucket.name).key(keys.key(path)).build();
        return bucket.call("GetObject", path, () -> bucket.s3.getObject(request, AsyncResponseTransformer.toBytes()))
                .map(bytes -> bytes.asByteArrayUnsafe());
    }

    @Override
    public Uni<Void> putContent(String path, byte[] content) {
        // a single PutObject replaces the object atomically
        return bucket.call("PutObject", path, () -> bucket.s3.putObject(bucket.put(keys.key(path)).build(),
                AsyncRequestBody.fromBytes(content))).replaceWithVoid();
    }

    @Override
    public Uni<Boolean> putContentIfAbsent(String path, byte[] content) {
        if (!conditionalWrites) {
            return stat(path).replaceWith(false)
                    .onFailure(PathNotFoundException.class).recoverWithUni(() -> putContent(path, content).replaceWith(true));
        }
        // S3 conditional write: 412 when the key exists, 409 when a concurrent create is in flight
        return bucket.call("PutObject", path, () -> bucket.s3.putObject(bucket.put(keys.key(path)).ifNoneMatch("*").build(),
                        AsyncRequestBody.fromBytes(content))).replaceWith(true)
                .onFailure(e -> S3Errors.hasStatus(e, 412) || S3Errors.hasStatus(e, 409)).recoverWithItem(false)
                .onFailure(e -> S3Errors.hasStatus(e, 501)).recoverWithUni(() -> {
                    // an older S3-compatible store: a check then a put fences only within one replica
                    conditionalWrites = false;
                    LOG.warn("s3: the store does not support conditional writes (If-None-Match); upload locks hold "
                            + "within each replica only: route each upload's requests to one replica");
                    return putContentIfAbsent(path, content);
                });
    }

    @Override
    public Multi<Buffer> read(String path, long offset, long length) {
        long start = Math.max(0, offset);
        if (length == 0) {
            return stat(path).onItem().transformToMulti(info -> Multi.createFrom().empty());
        }
        String key = keys.key(path);
        // a length past what a long can address from start (Long.MAX_VALUE) reads to the end, not to an overflowed range
        boolean bounded = length > 0 && length <= Long.MAX_VALUE - start;
        Multi<Buffer> bytes;
        if (bounded && length > bucket.settings.readAheadRangeSize() && bucket.settings.readAhead() > 1) {
            bytes = Multi.createFrom().publisher(new ReadAhead(start, start + length - 1, bucket.settings.readAheadRangeSize(),
                    bucket.settings.readAhead(), (range, onResponse) -> body(key, range, onResponse)));
        } else {
            String range = start > 0 || bounded ? "bytes=" + start + "-" + (bounded ? Long.toString(start + length - 1) : "") : null;
            bytes = Multi.createFrom().publisher(body(key, range, response -> {
            })).map(PieceJoiner::wrap);
        }
        return bytes
                // a range at or past the end: nothing to read, as Distribution's reader
                .onFailure(e -> S3Errors.hasStatus(e, 416)).recoverWithCompletion()
                .onFailure().transform(e -> S3Errors.translate(e, "GetObject", path));
    }

    /** The body of a GetObject of {@code key}, {@code range} a Range header or null for the whole object. */
    private ObjectBody body(String key, String range, Consumer<GetObjectResponse> onResponse) {
        GetObjectRequest get = GetObjectRequest.builder().bucket(bucket.name).key(key).range(range).build();
        return new ObjectBody(body -> reads.getObject(get, body), onResponse);
    }

    @Override
    public Uni<FileWriter> writer(String path, boolean append) {
        return (append ? uploads.resume(path) : uploads.start(path)).map(w -> (FileWriter) w);
    }

    @Override
    public Uni<FileInfo> stat(String path) {
        String key = keys.key(path);
        Uni<FileInfo> directory = bucket.call("ListObjectsV2", path, () -> bucket.s3.listObjectsV2(ListObjectsV2Request.builder()
                        .bucket(bucket.name).prefix(keys.directoryPrefix(path)).maxKeys(1).overrideConfiguration(S3Bucket.QUICK).build()))
                .map(page -> {
                    if (page.contents().isEmpty() && page.commonPrefixes().isEmpty()) {
                        throw new PathNotFoundException(path);
                    }
                    return new FileInfo(path, 0, Instant.EPOCH, true);
                });
        if (key.isEmpty() || key.endsWith("/")) {
            return directory;
        }
        return bucket.head(path)
                .map(r -> new FileInfo(path, r.contentLength(), r.lastModified(), false))
                .onFailure(PathNotFoundException.class).recoverWithUni(() -> directory);
    }

    /** One HeadObject: a missing key is no file, whether or not keys below it make a directory. */
    @Override
    public Uni<Optional<Long>> fileSize(String path) {
        return bucket.head(path)
                .map(r -> Optional.of(r.contentLength()))
                .onFailure(PathNotFoundException.class).recoverWithItem(Optional.empty());
    }

    @Override
    public Uni<List<String>> list(String path) {
        String prefix = keys.directoryPrefix(path);
        ListObjectsV2Request request = ListObjectsV2Request.builder().bucket(bucket.name).prefix(prefix).delimiter("/")
                .overrideConfiguration(S3Bucket.QUICK).build();
        return bucket.pages("ListObjectsV2", path, () -> bucket.s3.listObjectsV2Paginator(request))
                .onItem().transformToIterable(page -> {
                    List<String> names = new ArrayList<>();
                    page.commonPrefixes().forEach(p -> names.add(p.prefix()));
                    page.contents().forEach(o -> names.add(o.key()));
                    return names;
                })
                .filter(key -> !key.equals(prefix))
                .map(keys::path)
                .filter(Optional::isPresent)
                .map(Optional::get)
                .collect().in(TreeSet<String>::new, TreeSet::add)
                .map(children -> {
                    if (children.isEmpty() && !"/".equals(path)) {
                        throw new PathNotFoundException(path);
                    }
                    return List.copyOf(children);
                });
    }

    @Override
    public Uni<Void> move(String source, String destination) {
        return bucket.head(source).chain(info -> mover.move(source, destination, info.contentLength()));
    }

    @Override
    public Uni<Void> place(String source, String destination, long size) {
        return mover.copy(source, destination, size);
    }

    @Override
    public Uni<Void> delete(String path) {
        ListObjectsV2Request request = ListObjectsV2Request.builder().bucket(bucket.name).prefix(keys.key(path))
                .overrideConfiguration(S3Bucket.QUICK).build();
        Uni<Integer> objects = bucket.pages("ListObjectsV2", path, () -> bucket.s3.listObjectsV2Paginator(request))
                .onItem().transformToUniAndConcatenate(page -> deleteKeys(path,
                        page.contents().stream().map(S3Object::key).filter(k -> keys.covers(path, k)).toList()))
                .collect().with(Collectors.summingInt(Integer::intValue));
        // Distribution leaves open multipart uploads behind; their parts cost storage until aborted
        return objects.chain(deleted -> uploads.abortAll(path).map(aborted -> deleted + aborted))
                .map(total -> {
                    if (total == 0) {
                        throw new PathNotFoundException(path);
                    }
                    return null;
                });
    }

    /** DeleteObjects of up to 1,000 keys each (S3's limit), a few in flight; no listing, no multipart check. */
    @Override
    public Uni<Void> deleteFiles(List<String> paths) {
        List<List<String>> batches = new ArrayList<>();
        for (int at = 0; at < paths.size(); at += DELETE_BATCH) {
            batches.add(paths.subList(at, Math.min(paths.size(), at + DELETE_BATCH)).stream().map(keys::key).toList());
        }
        return Multi.createFrom().iterable(batches)
                .onItem().transformToUni(batch -> deleteKeys("/", batch))
                .merge(DELETE_CONCURRENCY)
                .collect().last().replaceWithVoid();
    }

    private Uni<Integer> deleteKeys(String path, List<String> page) {
        if (page.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        DeleteObjectsRequest request = DeleteObjectsRequest.builder().bucket(bucket.name)
                .delete(Delete.builder().quiet(true).objects(page.stream().map(k -> ObjectIdentifier.builder().key(k).build()).toList()).build())
                .overrideConfiguration(S3Bucket.QUICK).build();
        return bucket.call("DeleteObjects", path, () -> bucket.s3.deleteObjects(request)).map(response -> {
            if (!response.errors().isEmpty()) {
                var first = response.errors().get(0);
                throw new StorageException("s3 DeleteObjects " + path + ": " + response.errors().size() + " keys not deleted, first "
                        + first.key() + ": " + first.code() + " " + first.message());
            }
            return page.size();
        });
    }

    @Override
    public Multi<FileInfo> walk(String path) {
        ListObjectsV2Request request = ListObjectsV2Request.builder().bucket(bucket.name).prefix(keys.directoryPrefix(path))
                .overrideConfiguration(S3Bucket.QUICK).build();
        // one flat listing in key order, which is the path order: no request per directory
        Multi<FileInfo> files = bucket.pages("ListObjectsV2", path, () -> bucket.s3.listObjectsV2Paginator(request))
                .onItem().transformToIterable(page -> page.contents())
                .filter(o -> !o.key().endsWith("/"))
                .map(o -> keys.path(o.key()).map(p -> new FileInfo(p, o.size(), o.lastModified(), false)))
                .filter(Optional::isPresent)
                .map(Optional::get);
        return "/".equals(path) ? files : files.onCompletion().ifEmpty().failWith(() -> new PathNotFoundException(path));
    }

    @Override
    public Multi<OpenUpload> openUploads(String path) {
        return uploads.listUnder(path)
                .map(u -> keys.path(u.key()).map(p -> new OpenUpload(p, u.key(), u.uploadId(), u.initiated())))
                .filter(Optional::isPresent)
                .map(Optional::get);
    }

    @Override
    public Uni<Void> abort(OpenUpload upload) {
        return uploads.abort(upload.path(), upload.key(), upload.uploadId())
                .chain(() -> deleteKeys(upload.path(), List.of(upload.key() + S3Keys.TAIL_SUFFIX)))
                .replaceWithVoid();
    }

    @Override
    public Uni<Optional<String>> redirectUrl(RedirectRequest request, String path) {
        if (!"GET".equalsIgnoreCase(request.method())) {
            // the registry answers HEAD itself (Distribution #3691); other methods cannot be presigned usefully
            return Uni.createFrom().item(Optional.empty());
        }
        GetObjectPresignRequest presign = GetObjectPresignRequest.builder()
                .signatureDuration(bucket.settings.redirectExpiry())
                .getObjectRequest(GetObjectRequest.builder().bucket(bucket.name).key(keys.key(path)).build())
                .build();
        // signing is local CPU work once credentials are resolved; resolve them asynchronously first
        return Uni.createFrom().completionStage(() -> clients.presignerCredentials())
                .map(ignored -> Optional.of(clients.presigner().presignGetObject(presign).url().toString()))
                .onFailure().transform(e -> S3Errors.translate(e, "presign", path));
    }

    /** A cheap call that fails when the bucket is unreachable or denied, bounded by {@code timeout}. */
    public Uni<Void> checkBucket(Duration timeout) {
        HeadBucketRequest request = HeadBucketRequest.builder().bucket(bucket.name)
                .overrideConfiguration(AwsRequestOverrideConfiguration.builder().apiCallTimeout(timeout).build()).build();
        return bucket.call("HeadBucket", "/", () -> bucket.s3.headBucket(request)).replaceWithVoid()
                .ifNoItem().after(timeout.plusSeconds(1)).failWith(() -> new StorageException("s3 HeadBucket: no answer within " + timeout));
    }

    @Override
    public void close() {
        clients.close();
    }
}
