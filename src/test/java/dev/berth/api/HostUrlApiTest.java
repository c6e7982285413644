package dev.berth.api;

import static dev.berth.api.RegistryClient.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/** {@code http.host}: Location headers are absolute under the configured base (behind a load balancer). */
@QuarkusTest
@TestProfile(HostUrlApiTest.Profile.class)
class HostUrlApiTest {

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("berth.config", "src/test/resources/config/host.yml");
        }
    }

    @Test
    void locationsUseTheConfiguredHost() {
        Response started = request().header("X-Forwarded-Host", "ignored.example.org").post("/v2/h/blobs/uploads/");
        assertEquals(202, started.statusCode());
        String location = started.header("Location");
        assertTrue(location.startsWith("https://registry.example.com/v2/h/blobs/uploads/"), location);
    }
}
