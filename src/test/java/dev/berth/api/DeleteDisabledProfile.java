package dev.berth.api;

import java.time.Duration;
import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * {@code storage.delete.enabled: false} on the in-memory driver. Also a short descriptor TTL (2 s),
 * so {@link ExpiryApiTest} sees it pass without an application of its own.
 */
public class DeleteDisabledProfile implements QuarkusTestProfile {
    static final Duration DESCRIPTOR_TTL = Duration.ofSeconds(2);

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("berth.config", "src/test/resources/config/delete-disabled.yml",
                "storage.cache.descriptorttl", DESCRIPTOR_TTL.toSeconds() + "s");
    }
}
