package dev.berth.storage.middleware.cloudfront;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.interfaces.RSAPrivateCrtKey;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import dev.berth.config.ConfigError;
import dev.berth.config.FileWatcher;
import dev.berth.config.OptionReader;
import dev.berth.storage.BucketKeys;
import dev.berth.storage.StorageDriver;
import dev.berth.storage.StorageMiddlewareFactory;
import dev.berth.storage.middleware.MiddlewareMetrics;
import io.quarkus.cache.Cache;
import io.quarkus.cache.CacheName;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;

/**
 * {@code middleware.storage: - name: cloudfront}: reads the options and the key, then watches the key
 * file and, with {@code ipfilteredby}, refreshes the AWS ip ranges, both on Vert.x timers. Also built
 * by ServiceLoader to check the options before start (see {@link StorageMiddlewareFactory}), hence
 * the no-argument constructor and reflection.
 */
@ApplicationScoped
@RegisterForReflection(fields = false, methods = false)
public class CloudFrontMiddlewareFactory implements StorageMiddlewareFactory {
    static final Duration KEY_CHECK_INTERVAL = Duration.ofSeconds(10);
    static final Duration FIRST_IP_RANGES_RETRY = Duration.ofMinutes(1);
    private static final Logger LOG = Logger.getLogger(CloudFrontMiddlewareFactory.class);

    @Inject
    MiddlewareMetrics metrics;
    @Inject
    Vertx vertx;
    @Inject
    @CacheName("signed-urls")
    Cache signedUrls;
    private final Clock clock;
    private final Duration keyCheckInterval;
    private final Duration firstIpRangesRetry;
    private final List<AutoCloseable> running = new CopyOnWriteArrayList<>();
    private HttpClient httpClient;

    public CloudFrontMiddlewareFactory() {
        this(null, null, null, Clock.systemUTC(), KEY_CHECK_INTERVAL, FIRST_IP_RANGES_RETRY);
    }

    CloudFrontMiddlewareFactory(MiddlewareMetrics metrics, Vertx vertx, Cache signedUrls, Clock clock, Duration keyCheckInterval,
            Duration firstIpRangesRetry) {
        this.metrics = metrics;
        this.vertx = vertx;
        this.signedUrls = signedUrls;
        this.clock = clock;
        this.keyCheckInterval = keyCheckInterval;
        this.firstIpRangesRetry = firstIpRangesRetry;
    }

    @Override
    public String name() {
        return "cloudfront";
    }

    /** The options and the key file: a missing or unusable key stops startup too. */
    @Override
    public void validate(OptionReader options) {
        CloudFrontOptions o = CloudFrontOptions.parse(options);
        parseKey(readKeyFile(o.privateKey(), options), o.privateKey(), options);
    }

    @Override
    public StorageDriver wrap(StorageDriver driver, OptionReader options) {
        CloudFrontOptions o = CloudFrontOptions.parse(options);
        BucketKeys keys = driver.unwrap(BucketKeys.class).orElseThrow(() -> new ConfigError(CloudFrontOptions.PREFIX
                + "cloudfront middleware needs the s3 storage driver (storage driver is " + driver.name() + ")"));
        byte[] pem = readKeyFile(o.privateKey(), options);
        RSAPrivateCrtKey key = parseKey(pem, o.privateKey(), options);
        CannedPolicySigner signer;
        try {
            signer = signer(key, o);
        } catch (RuntimeException e) {
            throw options.fail("privatekey", o.privateKey() + ": cannot sign (" + e.getMessage() + ")");
        }
        SignedUrlCache urls = new SignedUrlCache(o.baseUrl(), o.duration(), signer, clock, metrics, signedUrls);
        running.add(keyWatcher(o.privateKey(), pem, k -> urls.replaceSigner(signer(k, o))).start(vertx, keyCheckInterval));
        AwsIpFilter awsClients = null;
        if (o.ipFilteredBy() != IpFilter.NONE) {
            awsClients = new AwsIpFilter(o.ipRangesUrl(),
                    o.ipFilteredBy() == IpFilter.AWSREGION ? new HashSet<>(o.awsRegions()) : Set.of(),
                    o.updateFrequency(), firstIpRangesRetry, httpClient(), vertx).start();
            running.add(awsClients);
        }
        return new CloudFrontMiddleware(driver, keys, urls, awsClients, o.trustedProxies(), metrics);
    }

    /** Hands each changed, valid key in {@code file} to {@code onNewKey}; a broken file keeps the old key. */
    static FileWatcher keyWatcher(Path file, byte[] loaded, Consumer<RSAPrivateCrtKey> onNewKey) {
        return new FileWatcher(LOG, "middleware cloudfront: privatekey", file, loaded,
                content -> onNewKey.accept(PemRsaKey.parse(new String(content, StandardCharsets.US_ASCII))));
    }

    private static byte[] readKeyFile(Path file, OptionReader options) {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw options.fail("privatekey", file + ": file not found");
        } catch (IOException e) {
            throw options.fail("privatekey", file + ": cannot be read (" + e + ")");
        }
    }

    private static RSAPrivateCrtKey parseKey(byte[] pem, Path file, OptionReader options) {
        try {
            return PemRsaKey.parse(new String(pem, StandardCharsets.US_ASCII));
        } catch (IllegalArgumentException e) {
            throw options.fail("privatekey", file + ": " + e.getMessage());
        }
    }

    private CannedPolicySigner signer(RSAPrivateCrtKey key, CloudFrontOptions o) {
        return new CannedPolicySigner(key, o.keyPairId(), metrics.signatures).verified();
    }

    private synchronized HttpClient httpClient() {
        if (httpClient == null) {
            httpClient = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(10_000));
        }
        return httpClient;
    }

    @PreDestroy
    synchronized void stop() {
        for (AutoCloseable c : running) {
            try {
                c.close();
            } catch (Exception ignored) {
                // shutting down
            }
        }
        running.clear();
        if (httpClient != null) {
            httpClient.close();
            httpClient = null;
        }
    }
}
