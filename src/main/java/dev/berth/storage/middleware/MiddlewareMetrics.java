package dev.berth.storage.middleware;

import java.util.concurrent.atomic.LongAdder;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import dev.berth.config.BerthConfig;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Counters of blob downloads by where they were sent, and of the CloudFront signer: plain adders,
 * cheap enough for the hot path, which the metrics registry reads when scraped.
 */
@Singleton
public class MiddlewareMetrics implements MeterBinder {
    static final String REDIRECTS = "registry.redirects";

    /** Signed CloudFront URLs served from the cache (no RSA work). */
    public final LongAdder signerCacheHits = new LongAdder();
    /** Signed CloudFront URLs that had to be signed. */
    public final LongAdder signerCacheMisses = new LongAdder();
    /** RSA signatures computed (misses plus rare concurrent duplicates). */
    public final LongAdder signatures = new LongAdder();
    /** Redirects to CloudFront. */
    public final LongAdder cloudFrontRedirects = new LongAdder();
    /** Clients inside AWS sent to the storage driver's own (S3 presigned) URL instead. */
    public final LongAdder awsClientRedirects = new LongAdder();
    /** Redirects by the {@code redirect} middleware. */
    public final LongAdder plainRedirects = new LongAdder();
    /** Redirects to the storage driver's own URL (S3 presigned), with or without middleware. */
    public final LongAdder storageRedirects = new LongAdder();
    /** Blob GETs whose bytes the registry streamed itself. */
    public final LongAdder notRedirected = new LongAdder();

    @Inject
    BerthConfig config;

    @Override
    public void bindTo(MeterRegistry registry) {
        redirects(registry, "cloudfront", cloudFrontRedirects);
        redirects(registry, "redirect", plainRedirects);
        redirects(registry, config.storageDriver(), storageRedirects);
        redirects(registry, "none", notRedirected);
        FunctionCounter.builder("registry.cloudfront.signed.urls", signerCacheHits, LongAdder::sum).tags("result", "hit")
                .description("CloudFront URLs handed out, reused from the cache (hit) or signed (miss)").register(registry);
        FunctionCounter.builder("registry.cloudfront.signed.urls", signerCacheMisses, LongAdder::sum).tags("result", "miss")
                .description("CloudFront URLs handed out, reused from the cache (hit) or signed (miss)").register(registry);
        FunctionCounter.builder("registry.cloudfront.aws.clients", awsClientRedirects, LongAdder::sum)
                .description("clients inside AWS sent to the S3 URL instead of CloudFront (ipfilteredby)").register(registry);
    }

    private static void redirects(MeterRegistry registry, String target, LongAdder count) {
        FunctionCounter.builder(REDIRECTS, count, LongAdder::sum).tags("target", target)
                .description("blob GETs by where the bytes come from: a redirect target, or none (streamed by the registry)")
                .register(registry);
    }
}
