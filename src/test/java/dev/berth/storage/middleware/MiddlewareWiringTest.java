package dev.berth.storage.middleware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

import dev.berth.storage.MiddlewareConfig;
import dev.berth.storage.RedirectRequest;
import dev.berth.storage.StorageDriver;
import dev.berth.storage.middleware.cloudfront.CloudFrontOptions;
import dev.berth.storage.middleware.redirect.RedirectMiddleware;

/** middleware.storage from config.yml reaches the driver; YAML lists arrive as key[i] options. */
@QuarkusTest
@TestProfile(RedirectMiddlewareProfile.class)
class MiddlewareWiringTest {

    @Inject
    StorageDriver driver;

    @Inject
    MiddlewareConfig middleware;

    @Inject
    MiddlewareMetrics metrics;

    @Test
    void configuredMiddlewareWrapsTheDriver() {
        assertTrue(driver.unwrap(RedirectMiddleware.class).isPresent());
        long before = metrics.plainRedirects.sum();
        String url = driver.redirectUrl(new RedirectRequest("GET", "127.0.0.1"), "/docker/registry/v2/blobs/x/data")
                .await().indefinitely().orElseThrow();
        assertEquals("https://files.example.com/mirror/docker/registry/v2/blobs/x/data", url);
        assertEquals(before + 1, metrics.plainRedirects.sum());
    }

    @Test
    void listOptionsAreReadAsLists() {
        Map<String, String> options = middleware.storage().orElseThrow().get(0).options();
        Map<String, String> withRequired = new HashMap<>(options);
        withRequired.put("privatekey", "/k.pem");
        withRequired.put("keypairid", "K");
        CloudFrontOptions parsed = CloudFrontOptions.parse(EntryOptions.of(withRequired));
        assertEquals(2, parsed.trustedProxies().size(), "options seen: " + options.keySet());
        assertTrue(parsed.trustedProxies().contains("fd00::1"));
        assertEquals(List.of(), parsed.awsRegions());
    }
}
