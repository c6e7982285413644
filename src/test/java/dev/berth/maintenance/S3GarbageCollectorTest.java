package dev.berth.maintenance;

import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;

import dev.berth.storage.StorageDriver;
import dev.berth.storage.s3.S3Driver;

/** The collection on the s3 driver against S3Proxy, each test under its own root directory. */
class S3GarbageCollectorTest extends GarbageCollectorContract {
    private static final AtomicInteger ROOTS = new AtomicInteger();
    private S3Driver driver;

    @AfterEach
    void closeDriver() {
        if (driver != null) {
            driver.close();
        }
    }

    @Override
    protected StorageDriver driver() {
        if (driver == null) {
            driver = TestDrivers.s3("/gc-" + ROOTS.incrementAndGet());
        }
        return driver;
    }
}
