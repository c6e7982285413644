package dev.berth.maintenance;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

import dev.berth.storage.StorageDriver;
import dev.berth.storage.s3.S3Clients;
import dev.berth.storage.s3.S3Driver;
import dev.berth.storage.s3.S3ProxyResource;
import dev.berth.storage.s3.S3Settings;

/** The collection on the s3 driver against S3Proxy, each test under its own root directory. */
class S3GarbageCollectorTest extends GarbageCollectorContract {
    private static final AtomicInteger ROOTS = new AtomicInteger();
    private static S3ProxyResource proxy;
    private static String endpoint;
    private S3Driver driver;

    @BeforeAll
    static void startS3() {
        proxy = new S3ProxyResource();
        proxy.init(Map.of());
        endpoint = proxy.start().get("storage.s3.regionendpoint");
    }

    @AfterAll
    static void stopS3() {
        proxy.stop();
    }

    @AfterEach
    void closeDriver() {
        if (driver != null) {
            driver.close();
        }
    }

    @Override
    protected StorageDriver driver() {
        if (driver == null) {
            driver = driver(endpoint, "/gc-" + ROOTS.incrementAndGet());
        }
        return driver;
    }

    static S3Driver driver(String endpoint, String root) {
        Map<String, String> keys = new HashMap<>(Map.of("region", "us-east-1", "regionendpoint", endpoint, "forcepathstyle", "true",
                "bucket", S3ProxyResource.BUCKET, "accesskey", S3ProxyResource.ACCESS_KEY, "secretkey", S3ProxyResource.SECRET_KEY,
                "rootdirectory", root, "chunksize", "5242880"));
        S3Settings settings = S3Settings.parse(keys, "test");
        return new S3Driver(S3Clients.create(settings, List.of()), settings);
    }

    static String endpoint() {
        return endpoint;
    }
}
