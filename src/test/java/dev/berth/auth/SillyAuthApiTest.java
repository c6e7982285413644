package dev.berth.auth;

import static dev.berth.auth.Http.anonymous;
import static org.hamcrest.Matchers.equalTo;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** {@code auth.silly}: any Authorization header passes; without one, a Bearer challenge with the scope. */
@QuarkusTest
@TestProfile(SillyAuthApiTest.Profile.class)
class SillyAuthApiTest {
    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("berth.config", "src/test/resources/config/inmemory.yml", "auth.silly.realm", "https://silly.example/token",
                    "auth.silly.service", "silly-service");
        }
    }

    @Test
    void anyAuthorizationHeaderPasses() {
        anonymous().get("/v2/a/manifests/v1").then().statusCode(401).header("WWW-Authenticate",
                equalTo("Bearer realm=\"https://silly.example/token\",service=\"silly-service\",scope=\"repository:a:pull\""))
                .body("errors[0].code", equalTo("UNAUTHORIZED"));
        anonymous().header("Authorization", "Bearer whatever").get("/v2/").then().statusCode(200);
        anonymous().header("Authorization", "Basic Zm9vOmJhcg==").get("/v2/a/manifests/v1").then().statusCode(404)
                .body("errors[0].code", equalTo("MANIFEST_UNKNOWN"));
    }
}
