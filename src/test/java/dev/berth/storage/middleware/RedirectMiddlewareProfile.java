package dev.berth.storage.middleware;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** The redirect middleware in front of inmemory storage; one profile, so its test classes share one Quarkus start. */
public class RedirectMiddlewareProfile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("berth.config", "src/test/resources/config/redirect-middleware.yml");
    }
}
