package dev.berth.api;

import java.util.List;
import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** The filesystem driver on a 2 MiB tmpfs (when it can be mounted), behind the {@code faults} middleware. */
public class FullStorageProfile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "berth.config", "src/test/resources/config/filesystem.yml",
                "middleware.storage[0].name", "faults",
                "middleware.storage[0].options.note", "see FaultsMiddlewareFactory");
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(TmpfsResource.class));
    }
}
