package dev.berth.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;

/**
 * The packaged artifact as Quarkus launches it for an integration test: the jar under
 * {@code ./mvnw verify}, the native executable under {@code ./mvnw verify -Dnative}. It is started
 * with no command-line arguments, so it serves the embedded default config.yml; {@link LoopbackFilesystem}
 * passes it (as {@code -D} options) a storage root of its own and a loopback listener, and the
 * launcher adds a free port ({@code %test.quarkus.http.test-port=0}).
 */
@QuarkusIntegrationTest
@WithTestResource(PackagedRegistryIT.LoopbackFilesystem.class)
class PackagedRegistryIT {
    @TempDir
    static Path work;
    static OciLayout layout;

    @TestHTTPResource("/")
    URI root;

    @BeforeAll
    static void writeLayout() throws Exception {
        layout = OciLayout.write(work.resolve("layout"), 2, 100_000);
    }

    /**
     * The default config's filesystem driver on a fresh directory under target/, listening on loopback.
     * It also empties {@code quarkus.http.test-host}: application.properties sets it for the
     * {@code @QuarkusTest} URLs, and with it set {@code @QuarkusIntegrationTest} tests an already
     * running application at that host instead of launching the artifact.
     */
    public static class LoopbackFilesystem implements QuarkusTestResourceLifecycleManager {
        @Override
        public Map<String, String> start() {
            Path data = Path.of("target", "packaged-registry-" + System.currentTimeMillis()).toAbsolutePath();
            return Map.of("storage.filesystem.rootdirectory", data.toString(), "quarkus.http.host", "127.0.0.1",
                    "quarkus.http.test-host", "");
        }

        @Override
        public void stop() {
            // the data stays under target/ for a look after a failure
        }
    }

    private String registry() {
        return "127.0.0.1:" + root.getPort();
    }

    @Test
    void singleImageRoundTripsIsListedAndDeleted() throws Exception {
        String ref = "docker://" + registry() + "/packaged/single:v1";
        Skopeo.ok("copy", "--dest-tls-verify=false", "oci:" + layout.root + ":single", ref);
        assertEquals(layout.singleDigest, Skopeo.ok("inspect", "--format", "{{.Digest}}", "--tls-verify=false", ref).trim());

        Path pulled = work.resolve("pulled-single");
        Skopeo.ok("copy", "--src-tls-verify=false", ref, "oci:" + pulled + ":x");
        assertTrue(Files.readString(pulled.resolve("index.json")).contains(layout.singleDigest));

        String tags = Skopeo.ok("list-tags", "--tls-verify=false", "docker://" + registry() + "/packaged/single");
        assertTrue(tags.contains("\"v1\""), tags);

        Skopeo.ok("delete", "--tls-verify=false", "docker://" + registry() + "/packaged/single@" + layout.singleDigest);
        assertTrue(Skopeo.run("inspect", "--raw", "--tls-verify=false", ref).exitCode() != 0, "deleted manifest is gone");
    }

    @Test
    void multiArchIndexRoundTripsByteIdentical() throws Exception {
        String ref = "docker://" + registry() + "/packaged/multi:v1";
        Skopeo.ok("copy", "--all", "--dest-tls-verify=false", "oci:" + layout.root + ":multi", ref);
        String raw = Skopeo.ok("inspect", "--raw", "--tls-verify=false", ref);
        assertEquals(layout.indexDigest, OciLayout.sha256(raw.getBytes(StandardCharsets.UTF_8)), "index pulled byte-identical");

        Path pulled = work.resolve("pulled-multi");
        Skopeo.ok("copy", "--all", "--src-tls-verify=false", ref, "oci:" + pulled + ":x");
        layout.assertSameBlobs(pulled);
    }

    @Test
    void readinessAndCatalogAnswer() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> ready = http.send(HttpRequest.newBuilder(root.resolve("/q/health/ready")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, ready.statusCode(), ready.body());
        HttpResponse<String> catalog = http.send(HttpRequest.newBuilder(root.resolve("/v2/_catalog")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, catalog.statusCode(), catalog.body());
        assertTrue(catalog.body().contains("\"repositories\""), catalog.body());
    }
}
