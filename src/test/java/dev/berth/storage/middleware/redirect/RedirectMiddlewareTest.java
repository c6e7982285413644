package dev.berth.storage.middleware.redirect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.berth.config.ConfigError;
import dev.berth.storage.RedirectRequest;
import dev.berth.storage.StorageDriver;
import dev.berth.storage.inmemory.InMemoryDriver;
import dev.berth.storage.middleware.EntryOptions;
import dev.berth.storage.middleware.MiddlewareMetrics;

class RedirectMiddlewareTest {
    private final MiddlewareMetrics metrics = new MiddlewareMetrics();
    private final RedirectMiddlewareFactory factory = new RedirectMiddlewareFactory(metrics);

    private String redirect(String baseUrl, String path) {
        StorageDriver driver = factory.wrap(new InMemoryDriver(), EntryOptions.of(Map.of("baseurl", baseUrl)));
        return driver.redirectUrl(new RedirectRequest("GET", "198.51.100.7"), path).await().indefinitely().orElseThrow();
    }

    @Test
    void storagePathUnderTheBaseUrlUnsigned() {
        assertEquals("https://files.example.com/docker/registry/v2/blobs/sha256/ab/abcd/data",
                redirect("https://files.example.com", "/docker/registry/v2/blobs/sha256/ab/abcd/data"));
        assertEquals("http://files.example.com:8080/docker/x", redirect("http://files.example.com:8080/", "/docker/x"));
        assertEquals(2, metrics.plainRedirects.sum());
    }

    @Test
    void baseUrlPathIsJoinedInFront() {
        assertEquals("https://files.example.com/mirror/docker/x", redirect("https://files.example.com/mirror", "/docker/x"));
        assertEquals("https://files.example.com/mirror/docker/x", redirect("https://files.example.com/mirror//", "/docker/x"));
    }

    @Test
    void schemeAndHostAreRequired() {
        for (String bad : new String[] {"files.example.com", "/just/a/path", "https://", "", "http://bad host"}) {
            ConfigError e = assertThrows(ConfigError.class, () -> factory.wrap(new InMemoryDriver(), EntryOptions.of(Map.of("baseurl", bad))), bad);
            assertTrue(e.getMessage().startsWith(EntryOptions.KEY + "baseurl: "), e.getMessage());
        }
        ConfigError missing = assertThrows(ConfigError.class, () -> factory.wrap(new InMemoryDriver(), EntryOptions.of(Map.of())));
        assertEquals(EntryOptions.KEY + "baseurl: required (test.yml)", missing.getMessage());
    }

    @Test
    void otherCallsPassThrough() {
        StorageDriver driver = factory.wrap(new InMemoryDriver(), EntryOptions.of(Map.of("baseurl", "https://x.test")));
        driver.putContent("/a", new byte[] {1}).await().indefinitely();
        assertEquals(1, driver.getContent("/a").await().indefinitely().length);
        assertEquals("inmemory", driver.name());
        assertEquals("redirect", factory.name());
    }
}
