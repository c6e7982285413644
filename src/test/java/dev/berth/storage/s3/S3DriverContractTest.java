package dev.berth.storage.s3;

import jakarta.inject.Inject;

import dev.berth.storage.StorageDriver;
import dev.berth.storage.StorageDriverContract;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * The contract on the s3 driver as the application builds it from config.yml (behind the path check,
 * by {@code StorageDriverProducer}), against S3Proxy.
 */
@QuarkusTest
@TestProfile(S3TestProfile.class)
class S3DriverContractTest extends StorageDriverContract {
    @Inject
    StorageDriver driver;

    @Override
    protected StorageDriver driver() {
        return driver;
    }

    @Override
    protected boolean redirects() {
        return true;
    }
}
