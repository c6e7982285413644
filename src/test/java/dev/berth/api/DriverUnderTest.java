package dev.berth.api;

import java.nio.file.Path;
import java.util.Optional;

import org.eclipse.microprofile.config.ConfigProvider;

/**
 * What a driver profile declares about itself, so the shared tests need no driver-specific code:
 * the driver name it expects to be running, and (for drivers writing local files) the storage root.
 */
final class DriverUnderTest {
    static final String EXPECTED_DRIVER = "berth.test.expected-driver";
    static final String STORAGE_ROOT = "berth.test.storage-root";

    private DriverUnderTest() {
    }

    /** The default test configuration (config/inmemory.yml) is the in-memory driver. */
    static String expectedDriver() {
        return ConfigProvider.getConfig().getOptionalValue(EXPECTED_DRIVER, String.class).orElse("inmemory");
    }

    static Optional<Path> localRoot() {
        return ConfigProvider.getConfig().getOptionalValue(STORAGE_ROOT, String.class).map(Path::of);
    }
}
