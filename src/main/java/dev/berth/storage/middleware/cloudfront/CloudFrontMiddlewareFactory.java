package dev.berth.storage.middleware.cloudfront;

import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.interfaces.RSAPrivateCrtKey;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.berth.config.ConfigError;
import dev.berth.storage.BucketKeys;
import dev.berth.storage.StorageDriver;
import dev.berth.storage.StorageMiddlewareFactory;
import dev.berth.storage.middleware.MiddlewareMetrics;
import io.quarkus.cache.Cache;
import io.quarkus.cache.CacheName;

/**
 * {@code middleware.storage: - name: cloudfront}: reads the options and the key, then starts the key
 * watcher and, with {@code ipfilteredby}, the ip-ranges refresher, on one background thread.
 */
@ApplicationScoped
public class CloudFrontMiddlewareFactory implements StorageMiddlewareFactory {
    static final Duration KEY_CHECK_INTERVAL = Duration.ofSeconds(10);
    static final Duration FIRST_IP_RANGES_RETRY = Duration.ofMinutes(1);

    private final MiddlewareMetrics metrics;
    private final Cache signedUrls;
    private final Clock clock;
    private final Duration keyCheckInterval;
    private final Duration firstIpRangesRetry;
    private final List<AutoCloseable> running = new CopyOnWriteArrayList<>();
    private ScheduledExecutorService scheduler;
    private HttpClient httpClient;

    @Inject
    public CloudFrontMiddlewareFactory(MiddlewareMetrics metrics, @CacheName("signed-urls") Cache signedUrls) {
        this(metrics, signedUrls, Clock.systemUTC(), KEY_CHECK_INTERVAL, FIRST_IP_RANGES_RETRY);
    }

    CloudFrontMiddlewareFactory(MiddlewareMetrics metrics, Cache signedUrls, Clock clock, Duration keyCheckInterval,
            Duration firstIpRangesRetry) {
        this.metrics = metrics;
        this.signedUrls = signedUrls;
        this.clock = clock;
        this.keyCheckInterval = keyCheckInterval;
        this.firstIpRangesRetry = firstIpRangesRetry;
    }

    @Override
    public String name() {
        return "cloudfront";
    }

    @Override
    public StorageDriver wrap(StorageDriver driver, Map<String, String> options) {
        CloudFrontOptions o = CloudFrontOptions.parse(options);
        BucketKeys keys = driver.unwrap(BucketKeys.class).orElseThrow(() -> new ConfigError(CloudFrontOptions.PREFIX
                + "cloudfront middleware needs the s3 storage driver (storage driver is " + driver.name() + ")"));
        byte[] pem = readKeyFile(o);
        RSAPrivateCrtKey key;
        try {
            key = PemRsaKey.parse(new String(pem, StandardCharsets.US_ASCII));
        } catch (IllegalArgumentException e) {
            throw new ConfigError(CloudFrontOptions.PREFIX + "privatekey " + o.privateKey() + ": " + e.getMessage());
        }
        SignedUrlCache urls = new SignedUrlCache(o.baseUrl(), o.duration(), signer(key, o), clock, metrics, signedUrls);
        running.add(new KeyFileWatcher(o.privateKey(), pem, k -> urls.replaceSigner(signer(k, o)))
                .start(scheduler(), keyCheckInterval));
        AwsIpFilter awsClients = null;
        if (o.ipFilteredBy() != IpFilter.NONE) {
            awsClients = new AwsIpFilter(o.ipRangesUrl(),
                    o.ipFilteredBy() == IpFilter.AWSREGION ? new HashSet<>(o.awsRegions()) : Set.of(),
                    o.updateFrequency(), firstIpRangesRetry, httpClient(), scheduler()).start();
            running.add(awsClients);
        }
        return new CloudFrontMiddleware(driver, keys, urls, awsClients, o.trustedProxies(), metrics);
    }

    private static byte[] readKeyFile(CloudFrontOptions o) {
        if (!Files.exists(o.privateKey())) {
            throw new ConfigError(CloudFrontOptions.PREFIX + "privatekey " + o.privateKey() + ": file not found");
        }
        try {
            return Files.readAllBytes(o.privateKey());
        } catch (IOException e) {
            throw new ConfigError(CloudFrontOptions.PREFIX + "privatekey " + o.privateKey() + ": cannot be read (" + e + ")");
        }
    }

    private CannedPolicySigner signer(RSAPrivateCrtKey key, CloudFrontOptions o) {
        try {
            return new CannedPolicySigner(key, o.keyPairId(), metrics.signatures).verified();
        } catch (RuntimeException e) {
            throw new ConfigError(CloudFrontOptions.PREFIX + "privatekey " + o.privateKey() + ": cannot sign (" + e.getMessage() + ")");
        }
    }

    private synchronized ScheduledExecutorService scheduler() {
        if (scheduler == null) {
            scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "berth-cloudfront");
                t.setDaemon(true);
                return t;
            });
        }
        return scheduler;
    }

    private synchronized HttpClient httpClient() {
        if (httpClient == null) {
            httpClient = HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(10))
                    .followRedirects(HttpClient.Redirect.NORMAL)
                    .build();
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
        if (scheduler != null) {
            scheduler.shutdownNow();
            scheduler = null;
        }
    }
}
