package dev.berth.it;

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

/** skopeo pushes and pulls a multi-layer image and a multi-arch index through Berth; digests match. */
class SkopeoIT {
    @TempDir
    static Path work;
    static BerthProcess berth;
    static OciLayout layout;

    @BeforeAll
    static void start() throws Exception {
        layout = OciLayout.write(work.resolve("layout"), 3, 200_000);
        String config = "version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: " + work.resolve("data")
                + "\n  delete:\n    enabled: true\n";
        berth = BerthProcess.start(work, config, List.of(), Map.of());
    }

    @AfterAll
    static void stop() throws Exception {
        if (berth != null) {
            berth.close();
        }
    }

    @Test
    void multiArchIndexRoundTrips() throws Exception {
        String ref = "docker://" + berth.hostPort() + "/it/multi:v1";
        Skopeo.ok("copy", "--all", "--dest-tls-verify=false", "oci:" + layout.root + ":multi", ref);

        String raw = Skopeo.ok("inspect", "--raw", "--tls-verify=false", ref);
        assertEquals(layout.indexDigest, OciLayout.sha256(raw.getBytes(StandardCharsets.UTF_8)), "index pulled byte-identical");

        Path pulled = work.resolve("pulled-multi");
        Skopeo.ok("copy", "--all", "--src-tls-verify=false", ref, "oci:" + pulled + ":x");
        layout.assertSameBlobs(pulled);
        String index = Files.readString(pulled.resolve("index.json"));
        assertTrue(index.contains(layout.indexDigest), "pulled layout names the same index digest");
    }

    @Test
    void singleImageRoundTripsAndTagsAreListed() throws Exception {
        String ref = "docker://" + berth.hostPort() + "/it/single:v2";
        Skopeo.ok("copy", "--dest-tls-verify=false", "oci:" + layout.root + ":single", ref);
        String digest = Skopeo.ok("inspect", "--format", "{{.Digest}}", "--tls-verify=false", ref).trim();
        assertEquals(layout.singleDigest, digest);

        Path pulled = work.resolve("pulled-single");
        Skopeo.ok("copy", "--src-tls-verify=false", ref, "oci:" + pulled + ":x");
        assertTrue(Files.readString(pulled.resolve("index.json")).contains(layout.singleDigest));

        String tags = Skopeo.ok("list-tags", "--tls-verify=false", "docker://" + berth.hostPort() + "/it/single");
        assertTrue(tags.contains("\"v2\""), tags);

        Skopeo.ok("delete", "--tls-verify=false", "docker://" + berth.hostPort() + "/it/single@" + digest);
        assertTrue(Skopeo.run("inspect", "--raw", "--tls-verify=false", ref).exitCode() != 0, "deleted manifest is gone");
    }
}
