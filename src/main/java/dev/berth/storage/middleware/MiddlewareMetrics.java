package dev.berth.storage.middleware;

import java.util.concurrent.atomic.LongAdder;

import jakarta.inject.Singleton;

/**
 * Counters of the storage middleware, cheap enough for the hot path; a metrics endpoint reads
 * them later.
 */
@Singleton
public class MiddlewareMetrics {
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
}
