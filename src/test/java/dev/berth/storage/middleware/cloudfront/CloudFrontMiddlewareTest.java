package dev.berth.storage.middleware.cloudfront;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.berth.testsupport.DeclaredCaches;
import dev.berth.storage.BucketKeys;
import dev.berth.storage.PathRules;
import dev.berth.storage.RedirectRequest;
import dev.berth.storage.StorageDriver;
import dev.berth.storage.middleware.EntryOptions;
import dev.berth.storage.middleware.MiddlewareMetrics;
import io.vertx.core.Vertx;

/** Signed URLs fetched from the CloudFront stand-in, and the AWS client filter. */
class CloudFrontMiddlewareTest {
    private static final String PATH = "/docker/registry/v2/blobs/sha256/ab/abcd/data";
    private static final byte[] BLOB = "layer bytes".getBytes(StandardCharsets.UTF_8);

    @TempDir
    static Path dir;
    static Path key;

    private final MiddlewareMetrics metrics = new MiddlewareMetrics();
    // the registry and the CDN read the same (test) time
    private final MutableClock clock = new MutableClock(Instant.now());
    private final Vertx vertx = Vertx.vertx();
    private final CloudFrontMiddlewareFactory factory =
            new CloudFrontMiddlewareFactory(metrics, vertx, DeclaredCaches.standalone("signed-urls"), clock, Duration.ofHours(1), Duration.ofMillis(50));
    private final HttpClient http = HttpClient.newHttpClient();
    private CloudFrontStandIn cdn;
    private IpRangesServer ipRanges;

    @BeforeAll
    static void keys() {
        key = OpenSsl.rsaPkcs1(dir, "cf.pem");
    }

    @AfterEach
    void stop() {
        factory.stop();
        vertx.close();
        if (cdn != null) {
            cdn.close();
        }
        if (ipRanges != null) {
            ipRanges.close();
        }
    }

    private Map<String, String> options() {
        cdn = new CloudFrontStandIn(OpenSsl.publicKey(key), "KID",
                k -> k.equals("reg" + PATH) ? BLOB : null, clock);
        Map<String, String> o = new HashMap<>();
        o.put("baseurl", cdn.baseUrl());
        o.put("privatekey", key.toString());
        o.put("keypairid", "KID");
        return o;
    }

    private static String redirect(StorageDriver driver, String client, String path) {
        return driver.redirectUrl(new RedirectRequest("GET", client), path).await().indefinitely().orElseThrow();
    }

    private HttpResponse<byte[]> get(String url, String method) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).method(method, HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void signedUrlIsAcceptedByCloudFront() throws Exception {
        StorageDriver driver = factory.wrap(new BucketDriver("/reg/"), EntryOptions.of(options()));
        String url = redirect(driver, "198.51.100.7", PATH);
        assertTrue(url.startsWith(cdn.baseUrl() + "reg" + PATH + "?Expires="), url);
        HttpResponse<byte[]> response = get(url, "GET");
        assertEquals(200, response.statusCode());
        assertArrayEquals(BLOB, response.body());
        assertEquals(200, get(url, "HEAD").statusCode(), "the same URL serves HEAD");
        assertEquals(1, metrics.cloudFrontRedirects.sum());
    }

    @Test
    void tamperedUrlsAreForbidden() throws Exception {
        StorageDriver driver = factory.wrap(new BucketDriver("/reg"), EntryOptions.of(options()));
        String url = redirect(driver, "198.51.100.7", PATH);
        String otherObject = url.replace("/abcd/", "/abce/");
        assertEquals(403, get(otherObject, "GET").statusCode());
        int e = url.indexOf("Expires=") + 8;
        long expires = Long.parseLong(url.substring(e, url.indexOf('&', e)));
        assertEquals(403, get(url.replace("Expires=" + expires, "Expires=" + (expires + 3600)), "GET").statusCode());
        assertEquals(403, get(url.replace("Key-Pair-Id=KID", "Key-Pair-Id=OTHER"), "GET").statusCode());
        assertEquals(403, get(url.substring(0, url.indexOf('?')), "GET").statusCode());
        int s = url.indexOf("Signature=") + 10;
        char c = url.charAt(s + 5);
        String flipped = url.substring(0, s + 5) + (c == 'A' ? 'B' : 'A') + url.substring(s + 6);
        assertEquals(403, get(flipped, "GET").statusCode());
        assertEquals(200, get(url, "GET").statusCode(), "the untouched URL still works");
    }

    @Test
    void expiredUrlIsForbidden() throws Exception {
        StorageDriver driver = factory.wrap(new BucketDriver("/reg"), EntryOptions.of(options()));
        String url = redirect(driver, "198.51.100.7", PATH);
        clock.advance(Duration.ofMinutes(15));
        assertEquals(200, get(url, "GET").statusCode(), "still valid at duration - window");
        clock.advance(Duration.ofMinutes(6));
        assertEquals(403, get(url, "GET").statusCode());
        // the registry hands out a fresh URL for the new window
        assertEquals(200, get(redirect(driver, "198.51.100.7", PATH), "GET").statusCode());
    }

    @Test
    void awsClientsGetTheDriversOwnUrlAndSpoofingDoesNotHelp() throws Exception {
        ipRanges = IpRangesServer.start(AwsIpFilterTest.IP_RANGES, 0);
        Map<String, String> o = options();
        o.put("ipfilteredby", "awsregion");
        o.put("awsregion", "us-west-2");
        o.put("iprangesurl", ipRanges.url().toString());
        o.put("trustedproxies", "10.0.0.0/8");
        CloudFrontMiddleware driver = (CloudFrontMiddleware) factory.wrap(new BucketDriver("/reg"), EntryOptions.of(o));
        awaitRanges(driver);
        long awsBefore = metrics.awsClientRedirects.sum();

        assertTrue(redirect(driver, "52.94.77.1", PATH).startsWith(BucketDriver.PRESIGNED + "reg" + PATH), "us-west-2 client");
        assertTrue(redirect(driver, "2600:1f14::9", PATH).startsWith(BucketDriver.PRESIGNED));
        assertTrue(redirect(driver, "3.5.141.9", PATH).startsWith(cdn.baseUrl()), "other region gets CloudFront");
        assertTrue(redirect(driver, "198.51.100.7", PATH).startsWith(cdn.baseUrl()));
        assertEquals(2, metrics.awsClientRedirects.sum() - awsBefore);

        // a client outside AWS claims an AWS address: not believed, it did not come through a trusted proxy
        String spoofed = driver.clientAddress("198.51.100.7", List.of("52.94.77.1"));
        assertTrue(redirect(driver, spoofed, PATH).startsWith(cdn.baseUrl()));
        // through the trusted proxy, its real address is the rightmost untrusted hop
        String viaProxy = driver.clientAddress("10.0.0.2", List.of("52.94.77.1, 198.51.100.7"));
        assertEquals("198.51.100.7", viaProxy);
        assertTrue(redirect(driver, viaProxy, PATH).startsWith(cdn.baseUrl()));
        // a real AWS client behind the trusted proxy
        assertTrue(redirect(driver, driver.clientAddress("10.0.0.2", List.of("52.94.77.1")), PATH)
                .startsWith(BucketDriver.PRESIGNED));
    }

    @Test
    void withoutTrustedProxiesForwardedForIsNeverBelieved() throws Exception {
        ipRanges = IpRangesServer.start(AwsIpFilterTest.IP_RANGES, 0);
        Map<String, String> o = options();
        o.put("ipfilteredby", "aws");
        o.put("iprangesurl", ipRanges.url().toString());
        CloudFrontMiddleware driver = (CloudFrontMiddleware) factory.wrap(new BucketDriver("/reg"), EntryOptions.of(o));
        awaitRanges(driver);
        String client = driver.clientAddress("198.51.100.7", List.of("52.94.77.1"));
        assertEquals("198.51.100.7", client);
        assertTrue(redirect(driver, client, PATH).startsWith(cdn.baseUrl()));
    }

    /** The first ip-ranges load is asynchronous. */
    private static void awaitRanges(CloudFrontMiddleware driver) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!redirect(driver, "52.94.77.1", PATH).startsWith(BucketDriver.PRESIGNED) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    @Test
    void invalidPathsAreNotSigned() {
        StorageDriver driver = factory.wrap(new BucketDriver("/reg"), EntryOptions.of(options()));
        for (String bad : new String[] {"/docker/../secret", "/a\"b", "relative", "/a//b"}) {
            assertThrows(PathRules.InvalidPathException.class, () -> redirect(driver, "198.51.100.7", bad), bad);
        }
        assertEquals(1, metrics.signatures.sum(), "only the startup self-check signed");
    }

    @Test
    void otherCallsPassThrough() {
        StorageDriver driver = factory.wrap(new BucketDriver("/reg"), EntryOptions.of(options()));
        driver.putContent("/docker/a", BLOB).await().indefinitely();
        assertArrayEquals(BLOB, driver.getContent("/docker/a").await().indefinitely());
        assertEquals("s3", driver.name());
        assertTrue(driver.unwrap(CloudFrontMiddleware.class).isPresent());
        assertTrue(driver.unwrap(BucketKeys.class).isPresent());
    }
}
