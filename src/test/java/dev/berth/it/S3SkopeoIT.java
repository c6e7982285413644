package dev.berth.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.berth.storage.s3.S3Clients;
import dev.berth.storage.s3.S3ProxyResource;
import dev.berth.storage.s3.S3Settings;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsRequest;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * skopeo round trips through Berth on the s3 driver (S3Proxy on loopback): pushes go through
 * multipart uploads, pulls are 307 redirects to presigned S3 URLs, and the bucket ends up in
 * Distribution's layout with no open multipart upload.
 */
class S3SkopeoIT {
    @TempDir
    static Path work;
    static S3ProxyResource s3;
    static String endpoint;
    static BerthProcess berth;
    static OciLayout layout;

    @BeforeAll
    static void start() throws Exception {
        s3 = new S3ProxyResource();
        endpoint = s3.start().get("storage.s3.regionendpoint");
        layout = OciLayout.write(work.resolve("layout"), 3, 6 * 1024 * 1024);
        String config = "version: 0.1\nlog:\n  level: warn\nstorage:\n  s3:\n"
                + "    region: us-east-1\n    regionendpoint: " + endpoint + "\n    forcepathstyle: true\n"
                + "    bucket: " + S3ProxyResource.BUCKET + "\n    accesskey: " + S3ProxyResource.ACCESS_KEY + "\n"
                + "    secretkey: " + S3ProxyResource.SECRET_KEY + "\n    rootdirectory: /it-root\n    chunksize: 5242880\n"
                + "  delete:\n    enabled: true\n";
        berth = BerthProcess.start(work, config, List.of(), Map.of());
    }

    @AfterAll
    static void stop() throws Exception {
        if (berth != null) {
            berth.close();
        }
        if (s3 != null) {
            s3.stop();
        }
    }

    @Test
    void imageRoundTripsThroughS3() throws Exception {
        String ref = "docker://" + berth.hostPort() + "/it/s3:v1";
        Skopeo.ok("copy", "--dest-tls-verify=false", "oci:" + layout.root + ":single", ref);
        String digest = Skopeo.ok("inspect", "--format", "{{.Digest}}", "--tls-verify=false", ref).trim();
        assertEquals(layout.singleDigest, digest);

        Path pulled = work.resolve("pulled");
        Skopeo.ok("copy", "--src-tls-verify=false", ref, "oci:" + pulled + ":x");
        assertTrue(Files.readString(pulled.resolve("index.json")).contains(layout.singleDigest));
        int compared = 0;
        for (String blob : layout.blobDigests) {
            Path copy = pulled.resolve("blobs/sha256/" + blob.substring("sha256:".length()));
            if (Files.exists(copy)) {
                assertArrayEquals(Files.readAllBytes(layout.root.resolve("blobs/sha256/" + blob.substring(7))), Files.readAllBytes(copy), blob);
                compared++;
            }
        }
        assertTrue(compared >= 4, "config and layers pulled byte-identical, compared " + compared);

        Map<String, String> keys = new HashMap<>(Map.of("region", "us-east-1", "regionendpoint", endpoint, "forcepathstyle", "true",
                "bucket", S3ProxyResource.BUCKET, "accesskey", S3ProxyResource.ACCESS_KEY, "secretkey", S3ProxyResource.SECRET_KEY));
        try (S3Clients clients = S3Clients.create(S3Settings.parse(keys, "it"), List.of())) {
            List<String> objects = clients.client().listObjectsV2(ListObjectsV2Request.builder().bucket(S3ProxyResource.BUCKET)
                    .prefix("it-root/docker/registry/v2/").build()).join().contents().stream().map(S3Object::key).toList();
            String hex = layout.singleDigest.substring(7);
            assertTrue(objects.contains("it-root/docker/registry/v2/blobs/sha256/" + hex.substring(0, 2) + "/" + hex + "/data"), objects.toString());
            assertTrue(objects.contains("it-root/docker/registry/v2/repositories/it/s3/_manifests/tags/v1/current/link"), objects.toString());
            assertTrue(clients.client().listMultipartUploads(ListMultipartUploadsRequest.builder().bucket(S3ProxyResource.BUCKET).build())
                    .join().uploads().isEmpty(), "no multipart upload left open");
        }
    }
}
