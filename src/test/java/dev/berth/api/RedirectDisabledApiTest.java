package dev.berth.api;

import static dev.berth.api.RegistryClient.pushBlob;
import static dev.berth.api.RegistryClient.randomBytes;
import static dev.berth.api.RegistryClient.repo;
import static dev.berth.api.RegistryClient.request;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/** {@code storage.redirect.disable: true}: Berth streams the bytes even when the storage could redirect. */
@QuarkusTest
@TestProfile(RedirectDisabledApiTest.Profile.class)
class RedirectDisabledApiTest {

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("berth.config", "src/test/resources/config/redirect-disabled.yml");
        }
    }

    @Test
    void blobGetStreamsTheBytes() {
        String repo = repo("noredirect");
        byte[] content = randomBytes(5000);
        String digest = pushBlob(repo, content);
        Response r = request().redirects().follow(false).get("/v2/" + repo + "/blobs/" + digest);
        assertEquals(200, r.statusCode());
        assertArrayEquals(content, r.asByteArray());
        assertEquals("5000", r.header("Content-Length"));
        assertEquals(null, r.header("Transfer-Encoding"), "a known length is sent as Content-Length, not chunked");
    }
}
