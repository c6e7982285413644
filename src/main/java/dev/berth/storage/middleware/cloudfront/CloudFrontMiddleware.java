package dev.berth.storage.middleware.cloudfront;

import java.util.List;
import java.util.Optional;

import io.smallrye.mutiny.Uni;

import dev.berth.storage.BucketKeys;
import dev.berth.storage.PathRules;
import dev.berth.storage.RedirectRequest;
import dev.berth.storage.StorageDriver;
import dev.berth.storage.middleware.DelegatingStorageDriver;
import dev.berth.storage.middleware.MiddlewareMetrics;

/**
 * Redirects blob reads to CloudFront with a signed URL for {@code baseurl + bucket key} (the key
 * includes the S3 root directory, so the CloudFront origin path stays empty). Clients inside AWS,
 * when {@code ipfilteredby} is set, get the wrapped driver's own (S3 presigned) URL.
 */
public final class CloudFrontMiddleware extends DelegatingStorageDriver {
    private final BucketKeys keys;
    private final SignedUrlCache urls;
    private final AwsIpFilter awsClients;
    private final CidrSet trustedProxies;
    private final MiddlewareMetrics metrics;

    /** @param awsClients null when {@code ipfilteredby} is none */
    public CloudFrontMiddleware(StorageDriver driver, BucketKeys keys, SignedUrlCache urls, AwsIpFilter awsClients,
            CidrSet trustedProxies, MiddlewareMetrics metrics) {
        super(driver);
        this.keys = keys;
        this.urls = urls;
        this.awsClients = awsClients;
        this.trustedProxies = trustedProxies;
        this.metrics = metrics;
    }

    @Override
    public Uni<Optional<String>> redirectUrl(RedirectRequest request, String path) {
        if (awsClients != null && awsClients.contains(clientAddress(request.clientAddress(), request.forwardedFor()))) {
            metrics.awsClientRedirects.increment();
            return driver.redirectUrl(request, path);
        }
        String url;
        try {
            // the s3 driver is reached through unwrap, around the path-checking base driver: check here
            url = urls.url(keys.bucketKey(path), () -> PathRules.check(path));
        } catch (RuntimeException e) {
            return Uni.createFrom().failure(e);
        }
        metrics.cloudFrontRedirects.increment();
        return Uni.createFrom().item(Optional.of(url));
    }

    /** The client's address, believing {@code X-Forwarded-For} only from {@code trustedproxies}. */
    public String clientAddress(String remoteAddress, List<String> xForwardedFor) {
        return ClientAddress.resolve(remoteAddress, xForwardedFor, trustedProxies);
    }

    public CidrSet trustedProxies() {
        return trustedProxies;
    }
}
