package dev.berth.storage.middleware.cloudfront;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.berth.testsupport.DeclaredCaches;
import dev.berth.config.ConfigError;
import dev.berth.storage.RedirectRequest;
import dev.berth.storage.StorageDriver;
import dev.berth.storage.inmemory.InMemoryDriver;
import dev.berth.storage.middleware.EntryOptions;
import dev.berth.storage.middleware.MiddlewareMetrics;
import dev.berth.storage.middleware.redirect.RedirectMiddleware;
import io.vertx.core.Vertx;

/** Options and every startup error: one line, naming the option or file. */
class CloudFrontMiddlewareFactoryTest {
    @TempDir
    static Path dir;
    static Path key;

    private final MiddlewareMetrics metrics = new MiddlewareMetrics();
    private final MutableClock clock = new MutableClock(Instant.ofEpochSecond(1_767_225_600L));
    private final Vertx vertx = Vertx.vertx();
    private final CloudFrontMiddlewareFactory factory =
            new CloudFrontMiddlewareFactory(metrics, vertx, DeclaredCaches.standalone("signed-urls"), clock, Duration.ofHours(1), Duration.ofMinutes(1));

    @BeforeAll
    static void keys() {
        key = OpenSsl.rsaPkcs8(dir, "key.pem");
    }

    @AfterEach
    void stop() {
        factory.stop();
        vertx.close();
    }

    private Map<String, String> options() {
        Map<String, String> o = new HashMap<>();
        o.put("baseurl", "d111111abcdef8.cloudfront.net");
        o.put("privatekey", key.toString());
        o.put("keypairid", "K2JCJMDEHXQW5F");
        return o;
    }

    private String error(Map<String, String> options) {
        return error(new BucketDriver("/reg"), options);
    }

    /** The error of wrapping, which the check before start gives too: one line, the full key first, the file last. */
    private String error(StorageDriver driver, Map<String, String> options) {
        ConfigError e = assertThrows(ConfigError.class, () -> factory.wrap(driver, EntryOptions.of(options)));
        ConfigError early = assertThrows(ConfigError.class, () -> new CloudFrontMiddlewareFactory().validate(EntryOptions.of(options)));
        assertEquals(e.getMessage(), early.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertTrue(e.getMessage().startsWith(EntryOptions.KEY), e.getMessage());
        assertTrue(e.getMessage().endsWith(" (test.yml)"), e.getMessage());
        return e.getMessage();
    }

    private String redirect(StorageDriver driver, String path) {
        return driver.redirectUrl(new RedirectRequest("GET", "198.51.100.7"), path).await().indefinitely().orElseThrow();
    }

    @Test
    void defaultsAndBaseUrlNormalisation() {
        StorageDriver driver = factory.wrap(new BucketDriver("/reg"), EntryOptions.of(options()));
        String url = redirect(driver, "/docker/registry/v2/blobs/sha256/ab/abcd/data");
        long expires = 1_767_225_600L + 20 * 60;
        assertTrue(url.startsWith("https://d111111abcdef8.cloudfront.net/reg/docker/registry/v2/blobs/sha256/ab/abcd/data?Expires="
                + expires + "&Signature="), url);
        assertTrue(url.endsWith("&Key-Pair-Id=K2JCJMDEHXQW5F"), url);
        assertEquals("cloudfront", factory.name());
    }

    @Test
    void baseUrlPathIsKeptAndDurationHonoured() {
        Map<String, String> o = options();
        o.put("baseurl", "http://cdn.example.com/prefix");
        o.put("duration", "1h30m");
        String url = redirect(factory.wrap(new BucketDriver(""), EntryOptions.of(o)), "/docker/x/data");
        assertTrue(url.startsWith("http://cdn.example.com/prefix/docker/x/data?Expires=" + (1_767_225_600L + 5400) + "&"), url);
    }

    @Test
    void misspeltUpdateFrequencyDoesNotTouchDuration() {
        Map<String, String> o = options();
        o.put("updatefrenquency", "1m");
        CloudFrontOptions parsed = CloudFrontOptions.parse(EntryOptions.of(o));
        assertEquals(Duration.ofMinutes(20), parsed.duration());
        assertEquals(Duration.ofMinutes(1), parsed.updateFrequency());
        o.put("updatefrequency", "2h");
        assertEquals(Duration.ofHours(2), CloudFrontOptions.parse(EntryOptions.of(o)).updateFrequency());
        assertEquals(Duration.ofHours(12), CloudFrontOptions.parse(EntryOptions.of(options())).updateFrequency());
    }

    @Test
    void ipFilterAndListsAreParsedLeniently() {
        Map<String, String> o = options();
        o.put("ipfilteredby", " AWSRegion ");
        o.put("awsregion", "US-East-1, eu-west-1,");
        o.put("trustedproxies[0]", "10.0.0.0/8");
        o.put("trustedproxies[1]", "fd00::/8, 192.0.2.1");
        CloudFrontOptions parsed = CloudFrontOptions.parse(EntryOptions.of(o));
        assertEquals(IpFilter.AWSREGION, parsed.ipFilteredBy());
        assertEquals(List.of("us-east-1", "eu-west-1"), parsed.awsRegions());
        assertEquals(3, parsed.trustedProxies().size());
        assertTrue(parsed.trustedProxies().contains("192.0.2.1"));
        assertEquals(IpFilter.NONE, CloudFrontOptions.parse(EntryOptions.of(options())).ipFilteredBy());
    }

    @Test
    void missingRequiredOptions() {
        for (String option : new String[] {"baseurl", "privatekey", "keypairid"}) {
            Map<String, String> o = options();
            o.remove(option);
            assertEquals(EntryOptions.KEY + option + ": required (test.yml)", error(o));
        }
    }

    @Test
    void missingKeyFile() {
        Map<String, String> o = options();
        o.put("privatekey", dir.resolve("nope.pem").toString());
        assertEquals(EntryOptions.KEY + "privatekey: " + dir.resolve("nope.pem") + ": file not found (test.yml)", error(o));
    }

    @Test
    void notAPemFile() throws Exception {
        Map<String, String> o = options();
        o.put("privatekey", Files.writeString(dir.resolve("text.pem"), "hello\n").toString());
        assertTrue(error(o).contains("text.pem: not a PEM file"));
    }

    @Test
    void ecKeysAreRefused() {
        Map<String, String> o = options();
        o.put("privatekey", OpenSsl.ecSec1(dir, "ec.pem").toString());
        assertTrue(error(o).contains("ec.pem: holds a EC PRIVATE KEY, not an RSA private key"), error(o));
        o.put("privatekey", OpenSsl.ecPkcs8(dir, "ec8.pem").toString());
        assertTrue(error(o).contains("ec8.pem: PKCS#8 key is not RSA"), error(o));
    }

    @Test
    void malformedAndEncryptedKeys() throws Exception {
        Map<String, String> o = options();
        o.put("privatekey", Files.writeString(dir.resolve("bad.pem"),
                "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n").toString());
        assertTrue(error(o).contains("bad.pem: malformed PKCS#1 RSA key"), error(o));
        o.put("privatekey", Files.writeString(dir.resolve("enc.pem"),
                "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n").toString());
        assertTrue(error(o).contains("enc.pem: the key is encrypted"), error(o));
    }

    @Test
    void badDurations() {
        Map<String, String> o = options();
        o.put("duration", "1200");
        assertTrue(error(o).startsWith(EntryOptions.KEY + "duration: must be a duration such as 20m, 90s or 1h30m, got \"1200\""), error(o));
        o.put("duration", "20 minutes");
        assertTrue(error(o).contains("duration: must be a duration such as 20m, 90s or 1h30m, got \"20 minutes\""), error(o));
        o.put("duration", "500ms");
        assertTrue(error(o).contains("duration: must be at least 1s, got \"500ms\""), error(o));
        o.put("duration", "20m");
        o.put("updatefrequency", "soon");
        assertTrue(error(o).startsWith(EntryOptions.KEY + "updatefrequency: must be a duration"), error(o));
    }

    @Test
    void awsRegionNeedsRegions() {
        Map<String, String> o = options();
        o.put("ipfilteredby", "awsregion");
        assertTrue(error(o).contains("awsregion lists no region"), error(o));
        o.put("awsregion", " , ");
        assertTrue(error(o).contains("awsregion lists no region"), error(o));
    }

    @Test
    void otherBadOptions() {
        Map<String, String> o = options();
        o.put("ipfilteredby", "gcp");
        assertTrue(error(o).contains("ipfilteredby: must be one of aws, awsregion, none, got \"gcp\""), error(o));
        o = options();
        o.put("trustedproxies", "10.0.0.0/40");
        assertTrue(error(o).contains("trustedproxies: bad prefix length"), error(o));
        o = options();
        o.put("iprangesurl", "ftp://x/ip.json");
        assertTrue(error(o).contains("iprangesurl: must be an http(s) URL such as https://host/path, got \"ftp://x/ip.json\""), error(o));
        o = options();
        o.put("baseurl", "https://cdn.example.com/a b");
        assertTrue(error(o).contains("baseurl"), error(o));
    }

    @Test
    void needsAnS3Driver() {
        ConfigError e = assertThrows(ConfigError.class, () -> factory.wrap(new InMemoryDriver(), EntryOptions.of(options())));
        assertEquals("middleware cloudfront: cloudfront middleware needs the s3 storage driver (storage driver is inmemory)", e.getMessage());
    }

    @Test
    void findsBucketKeysBelowOtherMiddleware() {
        // unlike Distribution, another middleware between cloudfront and s3 does not silently disable it
        StorageDriver wrapped = new RedirectMiddleware(new BucketDriver("/r"), URI.create("https://other.test"), metrics);
        String url = redirect(factory.wrap(wrapped, EntryOptions.of(options())), "/docker/y");
        assertTrue(url.startsWith("https://d111111abcdef8.cloudfront.net/r/docker/y?Expires="), url);
    }
}
