package dev.berth.storage.middleware.cloudfront;

import java.time.Clock;
import java.time.Duration;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import dev.berth.storage.middleware.MiddlewareMetrics;

/**
 * Signed URLs per object key, so a hot pull path does no RSA work. Expiry times are aligned to a
 * window of {@code duration/4}: every request in one window gets the same URL (expiring at window
 * start + duration), so each URL handed out is valid for at least {@code duration - window}.
 */
public final class SignedUrlCache {
    /** Bounded so a registry with many blobs cannot grow the heap without limit (~300 B an entry). */
    static final int MAX_ENTRIES = 100_000;

    private record Entry(String url, long expires, CannedPolicySigner signer) {
    }

    private final String baseUrl;
    private final long durationSeconds;
    private final long windowSeconds;
    private final Clock clock;
    private final MiddlewareMetrics metrics;
    private final Cache<String, Entry> cache;
    private volatile CannedPolicySigner signer;

    public SignedUrlCache(String baseUrl, Duration duration, CannedPolicySigner signer, Clock clock, MiddlewareMetrics metrics) {
        this.baseUrl = baseUrl;
        this.durationSeconds = Math.max(1, duration.toSeconds());
        this.windowSeconds = Math.max(1, durationSeconds / 4);
        this.signer = signer;
        this.clock = clock;
        this.metrics = metrics;
        this.cache = Caffeine.newBuilder()
                .maximumSize(MAX_ENTRIES)
                // only frees memory; whether an entry is current is decided by its expiry, below
                .expireAfterWrite(Duration.ofSeconds(windowSeconds + 1))
                .build();
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
        Entry entry = cache.getIfPresent(bucketKey);
        // the signer check drops URLs signed with a replaced key, even one put during the swap
        if (entry != null && entry.expires == expires && entry.signer == current) {
            metrics.signerCacheHits.increment();
            return entry.url;
        }
        beforeSigning.run();
        metrics.signerCacheMisses.increment();
        String url = current.sign(baseUrl + bucketKey, expires);
        cache.put(bucketKey, new Entry(url, expires, current));
        return url;
    }

    /** Expiry (epoch seconds) of URLs handed out at {@code nowSeconds}: window start + duration. */
    public long expiresAt(long nowSeconds) {
        return nowSeconds - Math.floorMod(nowSeconds, windowSeconds) + durationSeconds;
    }

    public long windowSeconds() {
        return windowSeconds;
    }

    /** Key rotation: later URLs use {@code next}, and every URL signed with the old key is dropped. */
    public void replaceSigner(CannedPolicySigner next) {
        signer = next;
        cache.invalidateAll();
    }

    public CannedPolicySigner signer() {
        return signer;
    }

    long size() {
        cache.cleanUp();
        return cache.estimatedSize();
    }
}
