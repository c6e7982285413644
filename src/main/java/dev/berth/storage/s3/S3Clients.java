package dev.berth.storage.s3;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.client.config.SdkAdvancedClientOption;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3AsyncClientBuilder;
import software.amazon.awssdk.services.s3.LegacyMd5Plugin;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * Builds the SDK's async clients (one for calls, one for streamed object bodies) and presigner from
 * the Distribution keys. Built here rather than
 * by quarkus-amazon-s3 (which still supplies the native-image support) because every setting comes
 * from {@code storage.s3}, and tests need fresh clients with their own interceptors.
 */
public final class S3Clients implements AutoCloseable {
    /** Attempts per call, with the SDK's exponential backoff (longer for throttling). */
    static final int MAX_ATTEMPTS = 5;
    /**
     * An idle socket this long means a stalled transfer, or a reader that stopped taking a body:
     * it is failed, so its connection is released (and a request retried).
     */
    static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

    private final S3AsyncClient client;
    private final S3AsyncClient reads;
    private final S3Presigner presigner;
    private final AwsCredentialsProvider credentials;

    private S3Clients(S3AsyncClient client, S3AsyncClient reads, S3Presigner presigner, AwsCredentialsProvider credentials) {
        this.client = client;
        this.reads = reads;
        this.presigner = presigner;
        this.credentials = credentials;
    }

    public static S3Clients create(S3Settings settings, List<ExecutionInterceptor> interceptors) {
        return create(settings, interceptors, READ_TIMEOUT);
    }

    /** With another read timeout, for tests that wait for one to expire. */
    static S3Clients create(S3Settings settings, List<ExecutionInterceptor> interceptors, Duration readTimeout) {
        AwsCredentialsProvider credentials = credentials(settings);
        Optional<URI> endpoint = endpoint(settings);
        Region region = Region.of(settings.region());

        NettyNioAsyncHttpClient.Builder calls = http(settings, readTimeout)
                // part copies run concurrently; leave room for the requests of other uploads
                .maxConcurrency(settings.multipartCopyMaxConcurrency() + 100)
                // the SDK's default: a request that cannot get a connection soon fails and is retried
                .connectionAcquisitionTimeout(Duration.ofSeconds(10));
        // Object bodies streamed to HTTP clients hold their connection as long as the client takes to read:
        // their own pool, so slow or stalled downloads can never take the connections of pushes and metadata
        NettyNioAsyncHttpClient.Builder reads = http(settings, readTimeout)
                .maxConcurrency(settings.readConnections())
                // a read beyond the budget waits this long for a connection, then fails as unavailable (503)
                .connectionAcquisitionTimeout(settings.readWait());

        ClientOverrideConfiguration.Builder override = ClientOverrideConfiguration.builder()
                .retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder().maxAttempts(MAX_ATTEMPTS).build());
        settings.userAgent().ifPresent(ua -> override.putAdvancedOption(SdkAdvancedClientOption.USER_AGENT_SUFFIX, ua));
        // after the SDK's own interceptors, which add the header
        override.addExecutionInterceptor(new ExpectContinueOnLargeBodies());
        interceptors.forEach(override::addExecutionInterceptor);

        S3Presigner.Builder presigner = S3Presigner.builder()
                .region(region)
                .credentialsProvider(credentials)
                .dualstackEnabled(settings.useDualStack())
                .fipsEnabled(settings.useFipsEndpoint())
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(settings.forcePathStyle())
                        .accelerateModeEnabled(settings.accelerate()).build());
        endpoint.ifPresent(presigner::endpointOverride);
        return new S3Clients(client(settings, credentials, region, endpoint, calls, override.build()),
                client(settings, credentials, region, endpoint, reads, override.build()), presigner.build(), credentials);
    }

    /** Connection settings both pools share. */
    private static NettyNioAsyncHttpClient.Builder http(S3Settings settings, Duration readTimeout) {
        NettyNioAsyncHttpClient.Builder http = NettyNioAsyncHttpClient.builder()
                // a healthy S3 endpoint connects in milliseconds; a silent one is retried soon
                .connectionTimeout(Duration.ofSeconds(3))
                .readTimeout(readTimeout)
                .writeTimeout(Duration.ofSeconds(60));
        if (settings.skipVerify()) {
            http.tlsTrustManagersProvider(() -> InsecureTrustManagerFactory.INSTANCE.getTrustManagers());
        }
        return http;
    }

    private static S3AsyncClient client(S3Settings settings, AwsCredentialsProvider credentials, Region region, Optional<URI> endpoint,
            NettyNioAsyncHttpClient.Builder http, ClientOverrideConfiguration override) {
        S3AsyncClientBuilder builder = S3AsyncClient.builder()
                .region(region)
                .credentialsProvider(credentials)
                .forcePathStyle(settings.forcePathStyle())
                .dualstackEnabled(settings.useDualStack())
                .accelerate(settings.accelerate())
                .fipsEnabled(settings.useFipsEndpoint())
                .httpClientBuilder(http)
                .overrideConfiguration(override)
                // S3-compatible stores (R2, MinIO, Ceph) reject the newer default checksum headers
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                // and some need Content-MD5 on DeleteObjects, which the SDK no longer sends by itself
                .addPlugin(LegacyMd5Plugin.create())
                // on (the SDK's default), the async client sends bodies as UNSIGNED-PAYLOAD and unframed, even over
                // http; off, it buffers and SHA-256-hashes every body sent over http to sign it (each byte hashed twice)
                .serviceConfiguration(S3Configuration.builder().chunkedEncodingEnabled(true).build());
        endpoint.ifPresent(builder::endpointOverride);
        return builder.build();
    }

    private static AwsCredentialsProvider credentials(S3Settings settings) {
        if (settings.accessKey().isPresent()) {
            return StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(settings.accessKey().get(), settings.secretKey().orElseThrow()));
        }
        // environment, profile files, web identity, container and instance roles, as Distribution does
        // refreshed in the background, so an expiring role never makes a calling thread wait for it
        return DefaultCredentialsProvider.builder().asyncCredentialUpdateEnabled(true).build();
    }

    /** The configured endpoint; with {@code secure: false} and none, AWS's regional endpoint over http. */
    static Optional<URI> endpoint(S3Settings settings) {
        if (settings.regionEndpoint().isPresent()) {
            return settings.regionEndpoint();
        }
        if (!settings.secure()) {
            return Optional.of(URI.create("http://s3." + settings.region() + ".amazonaws.com"));
        }
        return Optional.empty();
    }

    public S3AsyncClient client() {
        return client;
    }

    /** The client of streamed object bodies only ({@link S3Driver#read}), with its own connections. */
    public S3AsyncClient reads() {
        return reads;
    }

    /** Resolves (and caches) the credentials without blocking, so presigning after it does no I/O. */
    CompletableFuture<?> presignerCredentials() {
        return credentials.resolveIdentity();
    }

    public S3Presigner presigner() {
        return presigner;
    }

    @Override
    public void close() {
        client.close();
        reads.close();
        presigner.close();
        if (credentials instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                // closing at shutdown: nothing left to do with the failure
            }
        }
    }
}
