package dev.berth.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.berth.storage.s3.S3ProxyResource;

/**
 * Berth and the reference registry (Distribution 2.8.2) on the same S3 bucket and root directory:
 * an image pushed through either pulls byte-identical through the other.
 */
class ReferenceInteropIT {
    @TempDir
    static Path work;
    static S3ProxyResource s3;
    static BerthProcess berth;
    static ReferenceRegistry reference;
    static OciLayout layout;

    @BeforeAll
    static void start() throws Exception {
        s3 = new S3ProxyResource();
        String endpoint = s3.start().get("storage.s3.regionendpoint");
        layout = OciLayout.write(work.resolve("layout"), 3, 3 * 1024 * 1024);
        String s3Keys = "    region: us-east-1\n    regionendpoint: " + endpoint + "\n"
                + "    bucket: " + S3ProxyResource.BUCKET + "\n    accesskey: " + S3ProxyResource.ACCESS_KEY + "\n"
                + "    secretkey: " + S3ProxyResource.SECRET_KEY + "\n    rootdirectory: /shared\n    secure: false\n    chunksize: 5242880\n";
        String storage = "storage:\n  s3:\n" + s3Keys + "  delete:\n    enabled: true\n";
        // Distribution 2.8 forces path-style addressing with regionendpoint; Berth, like v3, is told
        berth = BerthProcess.start(Files.createDirectories(work.resolve("berth-work")), "version: 0.1\nlog:\n  level: warn\n"
                + storage.replace("  s3:\n", "  s3:\n    forcepathstyle: true\n"), List.of(), Map.of());
        reference = ReferenceRegistry.start(work, storage);
    }

    @AfterAll
    static void stop() throws Exception {
        if (berth != null) {
            berth.close();
        }
        if (reference != null) {
            reference.close();
        }
        if (s3 != null) {
            s3.stop();
        }
    }

    @Test
    void pushedThroughBerthPullsThroughTheReference() throws Exception {
        roundTrip(berth.hostPort(), reference.hostPort(), "interop/from-berth");
    }

    @Test
    void pushedThroughTheReferencePullsThroughBerth() throws Exception {
        roundTrip(reference.hostPort(), berth.hostPort(), "interop/from-reference");
    }

    private void roundTrip(String pushTo, String pullFrom, String repo) throws Exception {
        Skopeo.ok("copy", "--all", "--dest-tls-verify=false", "oci:" + layout.root + ":multi", "docker://" + pushTo + "/" + repo + ":v1");
        String raw = Skopeo.ok("inspect", "--raw", "--tls-verify=false", "docker://" + pullFrom + "/" + repo + ":v1");
        assertEquals(layout.indexDigest, OciLayout.sha256(raw.getBytes(StandardCharsets.UTF_8)), "index byte-identical");
        Path pulled = work.resolve("pulled-" + repo.replace('/', '-'));
        Skopeo.ok("copy", "--all", "--src-tls-verify=false", "docker://" + pullFrom + "/" + repo + ":v1", "oci:" + pulled + ":x");
        for (String digest : layout.blobDigests) {
            String hex = digest.substring("sha256:".length());
            Path copy = pulled.resolve("blobs/sha256/" + hex);
            assertTrue(Files.exists(copy), "pulled " + digest);
            assertArrayEquals(Files.readAllBytes(layout.root.resolve("blobs/sha256/" + hex)), Files.readAllBytes(copy), digest);
        }
        String tags = Skopeo.ok("list-tags", "--tls-verify=false", "docker://" + pullFrom + "/" + repo);
        assertTrue(tags.contains("\"v1\""), tags);
    }
}
