package dev.berth.storage.middleware.cloudfront;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import dev.berth.config.CacheTtl;
import dev.berth.storage.middleware.MiddlewareMetrics;
import io.quarkus.cache.Cache;
import io.quarkus.cache.CaffeineCache;

/**
 * Signed URLs per object key, so a hot pull path does no RSA work. Expiry times are aligned to a
 * window of {@code duration/4}: every request in one window gets the same URL (expiring at window
 * start + duration), so each URL handed out is valid for at least {@code duration - window}. The
 * URLs are kept in the quarkus-cache cache "signed-urls", bounded in application.properties.
 */
public final class SignedUrlCache {
    private record Entry(String url, long expires, CannedPolicySigner signer) {
    }

    private final String baseUrl;
    private final long durationSeconds;
    private final long windowSeconds;
    private final Clock clock;
    private final MiddlewareMetrics metrics;
    private final CaffeineCache cache;
    private volatile CannedPolicySigner signer;

    public SignedUrlCache(String baseUrl, Duration duration, CannedPolicySigner signer, Clock clock, MiddlewareMetrics metrics,
            Cache cache) {
        this.baseUrl = baseUrl;
        this.durationSeconds = Math.max(1, duration.toSeconds());
        this.windowSeconds = Math.max(1, durationSeconds / 4);
        this.signer = signer;
        this.clock = clock;
        this.metrics = metrics;
        this.cache = cache.as(CaffeineCache.class);
        // only frees memory; whether an entry is current is decided by its expiry, below
        CacheTtl.apply(cache, Duration.ofSeconds(windowSeconds + 1));
    }

    /** The signed CloudFront URL of {@code baseurl + bucketKey}. */
    public String url(String bucketKey) {
        return url(bucketKey, () -> {
        });
    }

    /**
     * Same, running {@code beforeSigning} (e.g. a path check, which may throw) only on a miss: a key
     * in the cache has passed it already.
     */
    public String url(String bucketKey, Runnable beforeSigning) {
        long expires = expiresAt(Math.floorDiv(clock.millis(), 1000L));
        CannedPolicySigner current = signer;
        CompletableFuture<Entry> cached = cache.getIfPresent(bucketKey);
        // entries are only ever put complete (below), so a present one is never still loading
        Entry entry = cached == null ? null : cached.getNow(null);
        // the signer check drops URLs signed with a replaced key, even one put during the swap
        if (entry != null && entry.expires == expires && entry.signer == current) {
            metrics.signerCacheHits.increment();
            return entry.url;
        }
        beforeSigning.run();
        metrics.signerCacheMisses.increment();
        String url = current.sign(baseUrl + bucketKey, expires);
        cache.put(bucketKey, CompletableFuture.completedFuture(new Entry(url, expires, current)));
        return url;
    }

    /** Expiry (epoch seconds) of URLs handed out at {@code nowSeconds}: window start + duration. */
    public long expiresAt(long nowSeconds) {
        return nowSeconds - Math.floorMod(nowSeconds, windowSeconds) + durationSeconds;
    }

    public long windowSeconds() {
        return windowSeconds;
    }

    /**
     * Key rotation: later URLs use {@code next}, and every URL signed with the old key is dropped.
     * Called by the key watcher's thread, which may wait.
     */
    public void replaceSigner(CannedPolicySigner next) {
        signer = next;
        cache.invalidateAll().await().indefinitely();
    }

    public CannedPolicySigner signer() {
        return signer;
    }

    long size() {
        return cache.keySet().size();
    }
}
