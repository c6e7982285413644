package dev.berth.api;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** {@code storage.maintenance.readonly.enabled: true} on the in-memory driver. */
public class ReadOnlyProfile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("berth.config", "src/test/resources/config/readonly.yml");
    }
}
