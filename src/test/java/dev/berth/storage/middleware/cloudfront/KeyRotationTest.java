package dev.berth.storage.middleware.cloudfront;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.berth.testsupport.DeclaredCaches;
import dev.berth.config.FileWatcher;
import dev.berth.storage.RedirectRequest;
import dev.berth.storage.StorageDriver;
import dev.berth.storage.middleware.EntryOptions;
import dev.berth.storage.middleware.MiddlewareMetrics;
import io.vertx.core.Vertx;

class KeyRotationTest {
    private static final long T0 = 1_767_225_600L;
    private static final String PATH = "/docker/registry/v2/blobs/sha256/ab/abcd/data";

    @TempDir
    Path dir;

    private final MiddlewareMetrics metrics = new MiddlewareMetrics();
    private final MutableClock clock = new MutableClock(Instant.ofEpochSecond(T0));
    private final Vertx vertx = Vertx.vertx();
    private final CloudFrontMiddlewareFactory factory =
            new CloudFrontMiddlewareFactory(metrics, vertx, DeclaredCaches.standalone("signed-urls"), clock, Duration.ofMillis(50), Duration.ofMinutes(1));

    @AfterEach
    void stop() {
        factory.stop();
        vertx.close();
    }

    private String redirect(StorageDriver driver) {
        return driver.redirectUrl(new RedirectRequest("GET", "198.51.100.7"), PATH).await().indefinitely().orElseThrow();
    }

    private static boolean verifies(String url, Path privateKey) {
        String resource = url.substring(0, url.indexOf('?'));
        int e = url.indexOf("Expires=") + 8;
        long expires = Long.parseLong(url.substring(e, url.indexOf('&', e)));
        int s = url.indexOf("Signature=") + 10;
        byte[] signature = CannedPolicySigner.fromUrlSafeBase64(url.substring(s, url.indexOf('&', s)));
        return OpenSsl.verifySha1(OpenSsl.publicKeyPem(privateKey),
                OpenSsl.policyOf(resource, expires).getBytes(StandardCharsets.UTF_8), signature);
    }

    /** Waits for the watcher to pick up a change: the URL changes. */
    private String awaitNewUrl(StorageDriver driver, String old) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        String url = redirect(driver);
        while (url.equals(old) && System.nanoTime() < deadline) {
            Thread.sleep(20);
            url = redirect(driver);
        }
        return url;
    }

    @Test
    void replacedKeyFileIsUsedWithoutRestartAndOldUrlsAreDropped() throws Exception {
        Path oldKey = OpenSsl.rsaPkcs1(dir, "old.pem");
        Path newKey = OpenSsl.rsaPkcs8(dir, "new.pem");
        Path live = Files.copy(oldKey, dir.resolve("live.pem"));
        StorageDriver driver = factory.wrap(new BucketDriver("/reg"),
                EntryOptions.of(Map.of("baseurl", "https://cdn.test", "privatekey", live.toString(), "keypairid", "KID")));

        String before = redirect(driver);
        assertEquals(before, redirect(driver));
        assertTrue(verifies(before, oldKey));

        // replace the file the way secret updates do: write elsewhere, move into place
        Path staged = Files.copy(newKey, dir.resolve("staged.pem"));
        Files.move(staged, live, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);

        String after = awaitNewUrl(driver, before);
        assertNotEquals(before, after, "the new key was not picked up");
        assertTrue(verifies(after, newKey));
        assertFalse(verifies(after, oldKey));
        // same window, same expiry: the cached old-key URL was dropped, not merely aged out
        assertEquals(before.substring(0, before.indexOf("&Signature")), after.substring(0, after.indexOf("&Signature")));
        assertEquals(after, redirect(driver));
    }

    @Test
    void brokenReplacementKeepsTheOldKey() throws Exception {
        Path oldKey = OpenSsl.rsaPkcs8(dir, "old.pem");
        Path live = Files.copy(oldKey, dir.resolve("live.pem"));
        byte[] pem = Files.readAllBytes(live);
        FileWatcher watcher = CloudFrontMiddlewareFactory.keyWatcher(live, pem, k -> {
            throw new AssertionError("a broken file must not replace the key");
        });
        Files.writeString(live, "-----BEGIN PRIVATE KEY-----\ngarbage\n-----END PRIVATE KEY-----\n");
        assertFalse(watcher.check());
        Files.writeString(live, "");
        assertFalse(watcher.check());
        Files.delete(live);
        assertFalse(watcher.check());

        // and through the middleware: the URL keeps verifying with the old key
        Files.write(live, pem);
        StorageDriver driver = factory.wrap(new BucketDriver("/reg"),
                EntryOptions.of(Map.of("baseurl", "https://cdn.test", "privatekey", live.toString(), "keypairid", "KID")));
        String before = redirect(driver);
        Files.writeString(live, "not a key");
        Thread.sleep(300);
        assertEquals(before, redirect(driver));
        assertTrue(verifies(redirect(driver), oldKey));
    }

    @Test
    void sameContentRewrittenIsNotAChange() throws Exception {
        Path key = OpenSsl.rsaPkcs8(dir, "k.pem");
        byte[] pem = Files.readAllBytes(key);
        int[] calls = {0};
        FileWatcher watcher = CloudFrontMiddlewareFactory.keyWatcher(key, pem, k -> calls[0]++);
        Files.write(key, pem);
        assertFalse(watcher.check());
        Files.copy(OpenSsl.rsaPkcs1(dir, "other.pem"), key, StandardCopyOption.REPLACE_EXISTING);
        assertTrue(watcher.check());
        assertEquals(1, calls[0]);
    }
}
