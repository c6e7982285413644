package dev.berth.api;

import static dev.berth.api.RegistryClient.randomBytes;
import static dev.berth.api.RegistryClient.request;
import static dev.berth.api.RegistryClient.sha256;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpClient;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/** {@code http.prefix} serves the API under a path; {@code http.relativeurls} gives relative Locations. */
@QuarkusTest
@TestProfile(PrefixApiTest.Profile.class)
class PrefixApiTest {

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("berth.config", "src/test/resources/config/prefix.yml");
        }
    }

    @Test
    void cleartextHttp2WhenEnabled() throws Exception {
        assertEquals(HttpClient.Version.HTTP_2, RegistryClient.cleartextHttpVersion("/registry/v2/"));
    }

    @Test
    void apiIsServedUnderThePrefixWithRelativeLocations() {
        Response base = request().get("/registry/v2/");
        assertEquals(200, base.statusCode());
        // the reroute past the prefix clears the response's headers: the request id is set again
        assertTrue(base.header("X-Request-Id").matches("[0-9a-f-]{36}"), String.valueOf(base.header("X-Request-Id")));
        assertEquals("given-id", request().header("X-Request-Id", "given-id").get("/registry/v2/").header("X-Request-Id"));
        byte[] content = randomBytes(100);
        String digest = sha256(content);
        Response started = request().post("/registry/v2/p/blobs/uploads/");
        assertEquals(202, started.statusCode());
        String location = started.header("Location");
        assertTrue(location.startsWith("/registry/v2/p/blobs/uploads/"), location);
        Response done = request().contentType("application/octet-stream").body(content)
                .put(location + "&digest=" + digest);
        assertEquals(201, done.statusCode(), done.asString());
        assertEquals("/registry/v2/p/blobs/" + digest, done.header("Location"));
        assertArrayEquals(content, request().get("/registry/v2/p/blobs/" + digest).asByteArray());
    }

    /** registry:2's root answers 200 with an empty body, under the prefix and outside it; nothing else is a root. */
    @Test
    void rootAnswersEmpty200UnderThePrefixAndOutside() {
        for (String path : new String[] {"/", "/registry", "/registry/"}) {
            Response root = request().get(path);
            assertEquals(200, root.statusCode(), path);
            assertEquals("", root.asString(), path);
            assertEquals("registry/2.0", root.header("Docker-Distribution-API-Version"), path);
        }
        assertEquals(404, request().get("/registryx/").statusCode());
    }
}
