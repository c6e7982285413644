package dev.berth.api;

import java.nio.file.Path;
import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * The filesystem driver: {@code berth.config} names {@code config/filesystem.yml}, and the root
 * directory is a fresh directory under {@code target/}, the same for every test class of one run.
 */
public class FilesystemProfile implements QuarkusTestProfile {
    private static final String ROOT_PROPERTY = "berth.test.filesystem-root";

    /** The storage root of this test run (created by the registry on first write). */
    public static synchronized Path root() {
        String root = System.getProperty(ROOT_PROPERTY);
        if (root == null) {
            root = Path.of("target", "test-registry-" + ProcessHandle.current().pid() + "-" + System.currentTimeMillis())
                    .toAbsolutePath().toString();
            System.setProperty(ROOT_PROPERTY, root);
        }
        return Path.of(root);
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "berth.config", "src/test/resources/config/filesystem.yml",
                "storage.filesystem.rootdirectory", root().toString(),
                DriverUnderTest.EXPECTED_DRIVER, "filesystem",
                DriverUnderTest.STORAGE_ROOT, root().toString());
    }
}
