package dev.berth.maintenance;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import dev.berth.testsupport.DeclaredCaches;
import dev.berth.storage.filesystem.FilesystemDriver;
import dev.berth.storage.s3.S3Clients;
import dev.berth.storage.s3.S3Driver;
import dev.berth.storage.s3.S3ProxyResource;
import dev.berth.storage.s3.S3Settings;
import io.vertx.mutiny.core.Vertx;

/**
 * Drivers built directly, without Quarkus: one Vert.x and one S3Proxy for all the maintenance tests of a
 * test JVM, started on first use and ended with it (a shutdown hook stops the proxy).
 */
final class TestDrivers {
    private static Vertx vertx;
    private static String endpoint;

    private TestDrivers() {
    }

    static synchronized FilesystemDriver filesystem(Path root) {
        if (vertx == null) {
            vertx = Vertx.vertx();
        }
        return new FilesystemDriver(vertx, root);
    }

    /** An s3 driver on the shared S3Proxy's bucket, under {@code root}; the caller closes it. */
    static S3Driver s3(String root) {
        return s3(endpoint(), root);
    }

    /** An s3 driver on the test bucket of the S3Proxy at {@code endpoint}. */
    static S3Driver s3(String endpoint, String root) {
        S3Settings settings = S3Settings.parse(Map.of("region", "us-east-1", "regionendpoint", endpoint, "forcepathstyle", "true",
                "bucket", S3ProxyResource.BUCKET, "accesskey", S3ProxyResource.ACCESS_KEY, "secretkey", S3ProxyResource.SECRET_KEY,
                "rootdirectory", root, "chunksize", "5242880"), "test");
        return new S3Driver(S3Clients.create(settings, List.of()), settings, DeclaredCaches.standalone("s3-upload-states"));
    }

    private static synchronized String endpoint() {
        if (endpoint == null) {
            S3ProxyResource proxy = new S3ProxyResource();
            proxy.init(Map.of());
            endpoint = proxy.start().get("storage.s3.regionendpoint");
            Runtime.getRuntime().addShutdownHook(new Thread(proxy::stop));
        }
        return endpoint;
    }
}
