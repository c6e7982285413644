package dev.berth.api;

import java.time.Duration;
import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * {@code storage.delete.enabled: false} on the in-memory driver. Also short expiries, so
 * {@link ExpiryApiTest} sees them pass without an application of its own: a 3 s idle timeout, a
 * 2 s descriptor TTL and no tag cache ({@code tagttl: 0s}). And Distribution 3's listing limits
 * ({@code catalog.maxentries}, {@code tags.maxtags}) for {@link DeleteDisabledApiTest}.
 */
public class DeleteDisabledProfile implements QuarkusTestProfile {
    static final Duration IDLE_TIMEOUT = Duration.ofSeconds(3);
    static final Duration DESCRIPTOR_TTL = Duration.ofSeconds(2);
    static final int MAX_TAGS = 2;
    static final int MAX_CATALOG = 3;

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("berth.config", "src/test/resources/config/delete-disabled.yml",
                "quarkus.http.idle-timeout", IDLE_TIMEOUT.toSeconds() + "S",
                "storage.cache.descriptorttl", DESCRIPTOR_TTL.toSeconds() + "s",
                "storage.cache.tagttl", "0s",
                "catalog.maxentries", String.valueOf(MAX_CATALOG),
                "tags.maxtags", String.valueOf(MAX_TAGS));
    }
}
