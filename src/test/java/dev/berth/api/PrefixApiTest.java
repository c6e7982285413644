package dev.berth.api;

import static dev.berth.api.RegistryClient.randomBytes;
import static dev.berth.api.RegistryClient.request;
import static dev.berth.api.RegistryClient.sha256;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
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

    /** HTTP/2 has its own header limit (docker and other Go clients speak HTTP/2 over TLS): 32 KiB pass, here over h2c. */
    @Test
    void cleartextHttp2WhenEnabledWithRequestHeadersOf32KiB() throws Exception {
        assertEquals(HttpClient.Version.HTTP_2, RegistryClient.cleartextHttpVersion("/registry/v2/"));
        HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        URI base = URI.create("http://127.0.0.1:" + RestAssured.port + "/registry/v2/");
        h2.send(HttpRequest.newBuilder(base).GET().build(), HttpResponse.BodyHandlers.discarding()); // upgrades to h2c
        HttpResponse<Void> r = h2.send(HttpRequest.newBuilder(base).header("X-Large", "x".repeat(32 * 1024 - 100)).GET().build(),
                HttpResponse.BodyHandlers.discarding());
        assertEquals(HttpClient.Version.HTTP_2, r.version(), "the second request went over HTTP/2");
        assertEquals(200, r.statusCode());
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
