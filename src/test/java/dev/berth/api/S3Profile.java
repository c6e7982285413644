package dev.berth.api;

import java.util.List;
import java.util.Map;

import dev.berth.storage.s3.S3ProxyResource;
import io.quarkus.test.junit.QuarkusTestProfile;

/** The s3 driver on an in-process S3Proxy (started for this profile only), which tests may take offline. */
public class S3Profile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "berth.config", "src/test/resources/config/s3-api.yml",
                DriverUnderTest.EXPECTED_DRIVER, "s3");
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(S3ProxyResource.class, Map.of(S3ProxyResource.OUTAGES, "true")));
    }
}
