package dev.berth.storage.s3;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Supplier;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import mutiny.zero.flow.adapters.AdaptersToFlow;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.CopyObjectRequest;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ObjectCannedACL;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
import software.amazon.awssdk.services.s3.model.StorageClass;

import org.reactivestreams.Publisher;

/**
 * The bucket and how Berth talks to it: the client, keys, the options every new object gets, and
 * one way to turn an SDK future into a Uni whose failures are storage exceptions.
 */
final class S3Bucket {
    static final String CONTENT_TYPE = "application/octet-stream";
    /** Small metadata calls: a stuck attempt is cut short and retried, the whole call bounded. */
    static final AwsRequestOverrideConfiguration QUICK = AwsRequestOverrideConfiguration.builder()
            .apiCallAttemptTimeout(Duration.ofSeconds(30))
            .apiCallTimeout(Duration.ofMinutes(2))
            .build();

    final S3AsyncClient s3;
    final String name;
    final S3Keys keys;
    final S3Settings settings;
    /** Upload states this replica left, to resume them without listing. */
    final S3UploadStates uploadStates;

    S3Bucket(S3AsyncClient s3, S3Settings settings, S3UploadStates uploadStates) {
        this.s3 = s3;
        this.uploadStates = uploadStates;
        this.name = settings.bucket();
        this.keys = new S3Keys(settings.rootDirectory());
        this.settings = settings;
    }

    /** The object at {@code path}'s metadata; fails with PathNotFoundException when there is none. */
    Uni<HeadObjectResponse> head(String path) {
        HeadObjectRequest request = HeadObjectRequest.builder().bucket(name).key(keys.key(path)).overrideConfiguration(QUICK).build();
        return call("HeadObject", path, () -> s3.headObject(request));
    }

    /**
     * Issues the call on subscription. The SDK completes its futures on its own threads, never a
     * Vert.x event loop, and nothing here waits on them.
     */
    <T> Uni<T> call(String operation, String path, Supplier<CompletableFuture<T>> call) {
        return Uni.createFrom().completionStage(call)
                .onFailure().transform(e -> S3Errors.translate(e, operation, path));
    }

    /** Pages of a paginated SDK call, fetched as the subscriber asks for them. */
    <T> Multi<T> pages(String operation, String path, Supplier<Publisher<T>> pages) {
        return Multi.createFrom().deferred(() -> Multi.createFrom().publisher(AdaptersToFlow.publisher(pages.get())))
                .onFailure().transform(e -> S3Errors.translate(e, operation, path));
    }

    PutObjectRequest.Builder put(String key) {
        PutObjectRequest.Builder b = PutObjectRequest.builder().bucket(name).key(key).contentType(CONTENT_TYPE);
        newObject(b::serverSideEncryption, b::ssekmsKeyId, b::storageClass, b::acl);
        return b;
    }

    CreateMultipartUploadRequest.Builder createUpload(String key) {
        CreateMultipartUploadRequest.Builder b = CreateMultipartUploadRequest.builder().bucket(name).key(key)
                .contentType(CONTENT_TYPE).overrideConfiguration(QUICK);
        newObject(b::serverSideEncryption, b::ssekmsKeyId, b::storageClass, b::acl);
        return b;
    }

    CopyObjectRequest.Builder copy(String sourceKey, String destinationKey) {
        CopyObjectRequest.Builder b = CopyObjectRequest.builder().sourceBucket(name).sourceKey(sourceKey)
                .destinationBucket(name).destinationKey(destinationKey);
        newObject(b::serverSideEncryption, b::ssekmsKeyId, b::storageClass, b::acl);
        return b;
    }

    /** The settings every new object gets (the SDK's request builders share no interface for them). */
    private void newObject(Consumer<ServerSideEncryption> encryption, Consumer<String> kmsKey,
            Consumer<StorageClass> storageClass, Consumer<ObjectCannedACL> acl) {
        if (settings.encrypt()) {
            encryption.accept(encryption());
            settings.keyId().ifPresent(kmsKey);
        }
        storageClass().ifPresent(storageClass);
        acl().ifPresent(acl);
    }

    private ServerSideEncryption encryption() {
        return settings.keyId().isPresent() ? ServerSideEncryption.AWS_KMS : ServerSideEncryption.AES256;
    }

    /** STANDARD is S3's default and NONE means "send nothing"; some S3-compatible stores reject the header. */
    private Optional<StorageClass> storageClass() {
        String sc = settings.storageClass();
        return sc.equals("STANDARD") || sc.equals("NONE") ? Optional.empty() : Optional.of(StorageClass.fromValue(sc));
    }

    /** "private" is the default ACL anyway, and buckets with ACLs disabled reject an explicit one. */
    private Optional<ObjectCannedACL> acl() {
        String acl = settings.objectAcl();
        return acl.equals("private") ? Optional.empty() : Optional.of(ObjectCannedACL.fromValue(acl));
    }
}
