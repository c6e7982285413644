package dev.berth.storage.s3;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import dev.berth.testsupport.DeclaredCaches;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/** Drivers with their own client, for tests that need a second replica or a counted client. */
final class S3DriverTestSupport {
    private S3DriverTestSupport() {
    }

    static S3Driver driver(S3Settings settings, ExecutionInterceptor... interceptors) {
        return new S3Driver(S3Clients.create(settings, List.of(interceptors)), settings, DeclaredCaches.standalone("s3-upload-states"));
    }

    /** A driver whose connections fail after {@code readTimeout} without data. */
    static S3Driver driver(S3Settings settings, Duration readTimeout) {
        return new S3Driver(S3Clients.create(settings, List.of(), readTimeout), settings, DeclaredCaches.standalone("s3-upload-states"));
    }

    static S3Settings withCopy(S3Settings s, long threshold, long chunk) {
        return new S3Settings(s.region(), s.regionEndpoint(), s.forcePathStyle(), s.bucket(), s.rootDirectory(), s.accessKey(),
                s.secretKey(), s.secure(), s.skipVerify(), s.chunkSize(), chunk, s.multipartCopyMaxConcurrency(), threshold,
                s.encrypt(), s.keyId(), s.storageClass(), s.objectAcl(), s.userAgent(), s.redirectExpiry(), false, false, false, s.readConnections(), s.readWait(), s.multipartConcurrency(), s.readAhead(), s.readAheadRangeSize());
    }

    static S3Settings withCredentials(S3Settings s, String accessKey, String secretKey) {
        return new S3Settings(s.region(), s.regionEndpoint(), s.forcePathStyle(), s.bucket(), s.rootDirectory(),
                Optional.of(accessKey), Optional.of(secretKey), s.secure(), s.skipVerify(), s.chunkSize(),
                s.multipartCopyChunkSize(), s.multipartCopyMaxConcurrency(), s.multipartCopyThresholdSize(), s.encrypt(), s.keyId(),
                s.storageClass(), s.objectAcl(), s.userAgent(), s.redirectExpiry(), false, false, false, s.readConnections(), s.readWait(), s.multipartConcurrency(), s.readAhead(), s.readAheadRangeSize());
    }

    /** {@code connections} for streamed reads, waiting {@code wait} for one; {@code copies} sizes the other pool. */
    static S3Settings withReads(S3Settings s, int connections, Duration wait, int copies) {
        return new S3Settings(s.region(), s.regionEndpoint(), s.forcePathStyle(), s.bucket(), s.rootDirectory(), s.accessKey(),
                s.secretKey(), s.secure(), s.skipVerify(), s.chunkSize(), s.multipartCopyChunkSize(), copies,
                s.multipartCopyThresholdSize(), s.encrypt(), s.keyId(), s.storageClass(), s.objectAcl(), s.userAgent(),
                s.redirectExpiry(), false, false, false, connections, wait, s.multipartConcurrency(), s.readAhead(), s.readAheadRangeSize());
    }

    /** Parts of {@code chunk} bytes, {@code concurrency} of them in flight. */
    static S3Settings withParts(S3Settings s, long chunk, int concurrency) {
        return new S3Settings(s.region(), s.regionEndpoint(), s.forcePathStyle(), s.bucket(), s.rootDirectory(), s.accessKey(),
                s.secretKey(), s.secure(), s.skipVerify(), chunk, s.multipartCopyChunkSize(), s.multipartCopyMaxConcurrency(),
                s.multipartCopyThresholdSize(), s.encrypt(), s.keyId(), s.storageClass(), s.objectAcl(), s.userAgent(),
                s.redirectExpiry(), false, false, false, s.readConnections(), s.readWait(), concurrency, s.readAhead(),
                s.readAheadRangeSize());
    }

    static S3Settings withEndpoint(S3Settings s, String endpoint) {
        return new S3Settings(s.region(), Optional.of(URI.create(endpoint)), s.forcePathStyle(), s.bucket(),
                s.rootDirectory(), s.accessKey(), s.secretKey(), s.secure(), s.skipVerify(), s.chunkSize(), s.multipartCopyChunkSize(),
                s.multipartCopyMaxConcurrency(), s.multipartCopyThresholdSize(), s.encrypt(), s.keyId(), s.storageClass(),
                s.objectAcl(), s.userAgent(), s.redirectExpiry(), false, false, false, s.readConnections(), s.readWait(), s.multipartConcurrency(), s.readAhead(), s.readAheadRangeSize());
    }

    /** Streamed reads in ranges of {@code rangeSize}, up to {@code ranges} of them in flight. */
    static S3Settings withReadAhead(S3Settings s, int ranges, long rangeSize) {
        return new S3Settings(s.region(), s.regionEndpoint(), s.forcePathStyle(), s.bucket(), s.rootDirectory(), s.accessKey(),
                s.secretKey(), s.secure(), s.skipVerify(), s.chunkSize(), s.multipartCopyChunkSize(), s.multipartCopyMaxConcurrency(),
                s.multipartCopyThresholdSize(), s.encrypt(), s.keyId(), s.storageClass(), s.objectAcl(), s.userAgent(),
                s.redirectExpiry(), false, false, false, s.readConnections(), s.readWait(), s.multipartConcurrency(), ranges, rangeSize);
    }
}
