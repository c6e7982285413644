package dev.berth.storage.middleware.cloudfront;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.berth.testsupport.DeclaredCaches;
import dev.berth.storage.middleware.MiddlewareMetrics;

class SignedUrlCacheTest {
    private static final String BASE = "https://cdn.test/";
    // 2026-01-01T00:00:00Z, a multiple of 300 s
    private static final long T0 = 1_767_225_600L;
    static RSAPrivateKey key;
    static RSAPrivateKey otherKey;

    @BeforeAll
    static void keys() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        key = (RSAPrivateKey) generator.generateKeyPair().getPrivate();
        otherKey = (RSAPrivateKey) generator.generateKeyPair().getPrivate();
    }

    private final MiddlewareMetrics metrics = new MiddlewareMetrics();
    private final MutableClock clock = new MutableClock(Instant.ofEpochSecond(T0));

    private SignedUrlCache cache(Duration duration) {
        return new SignedUrlCache(BASE, duration, new CannedPolicySigner(key, "KID", metrics.signatures), clock, metrics,
                DeclaredCaches.standalone("signed-urls"));
    }

    private static long expiresOf(String url) {
        int start = url.indexOf("Expires=") + 8;
        return Long.parseLong(url.substring(start, url.indexOf('&', start)));
    }

    @Test
    void expiryIsWindowStartPlusDuration() {
        SignedUrlCache cache = cache(Duration.ofMinutes(20));
        assertEquals(300, cache.windowSeconds());
        assertEquals(T0 + 1200, cache.expiresAt(T0));
        assertEquals(T0 + 1200, cache.expiresAt(T0 + 299));
        assertEquals(T0 + 1500, cache.expiresAt(T0 + 300));
        // 90 s: a 22 s window, aligned to the epoch
        SignedUrlCache short90 = cache(Duration.ofSeconds(90));
        assertEquals(22, short90.windowSeconds());
        assertEquals(22 * 100 + 90, short90.expiresAt(22 * 100 + 21));
        assertEquals(1, cache(Duration.ofSeconds(3)).windowSeconds());
    }

    @Test
    void everyUrlHandedOutStaysValidForDurationMinusWindow() {
        SignedUrlCache cache = cache(Duration.ofMinutes(20));
        for (long t = T0 - 1000; t < T0 + 2000; t += 7) {
            clock.set(Instant.ofEpochSecond(t, 999_000_000));
            long remaining = expiresOf(cache.url("docker/registry/v2/blobs/x/data")) - (t + 1);
            assertTrue(remaining >= 1200 - 300, "at " + t + " only " + remaining + " s left");
            assertTrue(remaining <= 1200, "at " + t + " " + remaining + " s left");
        }
    }

    @Test
    void oneUrlPerWindowAndAHitDoesNoRsaWork() {
        SignedUrlCache cache = cache(Duration.ofMinutes(20));
        String first = cache.url("reg/docker/registry/v2/blobs/sha256/ab/ab/data");
        assertTrue(first.startsWith(BASE + "reg/docker/registry/v2/blobs/sha256/ab/ab/data?Expires=" + (T0 + 1200) + "&"));
        clock.advance(Duration.ofSeconds(299));
        for (int i = 0; i < 100; i++) {
            assertEquals(first, cache.url("reg/docker/registry/v2/blobs/sha256/ab/ab/data"));
        }
        assertEquals(1, metrics.signatures.sum());
        assertEquals(1, metrics.signerCacheMisses.sum());
        assertEquals(100, metrics.signerCacheHits.sum());

        cache.url("another/key");
        assertEquals(2, metrics.signatures.sum());

        clock.advance(Duration.ofSeconds(1));
        String next = cache.url("reg/docker/registry/v2/blobs/sha256/ab/ab/data");
        assertNotEquals(first, next);
        assertEquals(T0 + 1500, expiresOf(next));
        assertEquals(3, metrics.signatures.sum());
    }

    @Test
    void replacingTheSignerDropsOldUrls() {
        SignedUrlCache cache = cache(Duration.ofMinutes(20));
        String before = cache.url("k");
        assertEquals(before, cache.url("k"));
        cache.replaceSigner(new CannedPolicySigner(otherKey, "KID", metrics.signatures));
        assertEquals(0, cache.size());
        String after = cache.url("k");
        assertNotEquals(before, after);
        assertEquals(expiresOf(before), expiresOf(after));
        assertEquals(after, cache.url("k"));
    }

    @Test
    void concurrentCallersGetTheirOwnKeysUrl() throws Exception {
        SignedUrlCache cache = cache(Duration.ofMinutes(20));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < 2000; i++) {
                        String key = "blob/" + (i % 20);
                        String url = cache.url(key);
                        assertTrue(url.startsWith(BASE + key + "?Expires=" + (T0 + 1200) + "&"), url);
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(8000, metrics.signerCacheHits.sum() + metrics.signerCacheMisses.sum());
        // 20 keys; a few concurrent first misses may sign twice, never per request
        assertTrue(metrics.signatures.sum() >= 20 && metrics.signatures.sum() <= 80, "signatures: " + metrics.signatures.sum());
    }
}
