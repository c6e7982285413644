package dev.berth.api;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** {@code storage.delete.enabled: false} on the in-memory driver. */
public class DeleteDisabledProfile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("berth.config", "src/test/resources/config/delete-disabled.yml");
    }
}
