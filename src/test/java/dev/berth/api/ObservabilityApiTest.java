package dev.berth.api;

import static dev.berth.api.RegistryClient.OCI_MANIFEST;
import static dev.berth.api.RegistryClient.assertBlob;
import static dev.berth.api.RegistryClient.pushBlob;
import static dev.berth.api.RegistryClient.pushImage;
import static dev.berth.api.RegistryClient.randomBytes;
import static dev.berth.api.RegistryClient.repo;
import static dev.berth.api.RegistryClient.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/**
 * The debug server ({@code http.debug}): Prometheus metrics that {@code promtool} accepts after real
 * pushes and pulls, {@code /debug/health} as Distribution answers it, and each kind of health check
 * failing and recovering against a real file, HTTP server and TCP listener, seen in
 * {@code /debug/health}, {@code /q/health/ready} and on the main port (503 while a check fails).
 */
@QuarkusTest
@TestProfile(ObservabilityProfile.class)
class ObservabilityApiTest {
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void metricsPassPromtoolAfterPushesAndPulls() throws Exception {
        String repo = repo("metrics");
        byte[] layer = randomBytes(4096);
        String digest = pushBlob(repo, layer);
        assertBlob(repo, digest, layer);
        assertBlob(repo, digest, layer);
        pushImage(repo, "v1", OCI_MANIFEST);
        assertEquals(200, request().accept(OCI_MANIFEST).get("/v2/" + repo + "/manifests/v1").statusCode());
        assertEquals(200, request().accept(OCI_MANIFEST).head("/v2/" + repo + "/manifests/v1").statusCode());
        assertEquals(200, request().get("/").statusCode());
        assertEquals(404, request().get("/v2/" + repo + "/manifests/nope").statusCode());

        HttpResponse<String> scrape = debug("/metrics");
        assertEquals(200, scrape.statusCode());
        assertTrue(scrape.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
        String metrics = scrape.body();
        Path file = Files.createTempFile(Path.of("target"), "scrape", ".txt");
        Files.writeString(file, metrics);
        Process promtool = new ProcessBuilder("promtool", "check", "metrics").redirectInput(file.toFile()).redirectErrorStream(true).start();
        String out = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(promtool.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, promtool.exitValue(), "promtool check metrics: " + out);

        // series as simpleclient writes them, labels sorted, up to the last label (it ends them with ",}")
        for (String series : List.of(
                "registry_http_request_duration_seconds_bucket{handler=\"blob\",method=\"GET\",status=\"2xx\",le=\"0.005\"",
                "registry_http_request_duration_seconds_count{handler=\"blob_upload\",method=\"PUT\",status=\"2xx\"",
                "registry_http_request_duration_seconds_count{handler=\"blob_upload_start\",method=\"POST\",status=\"2xx\"",
                "registry_http_request_duration_seconds_count{handler=\"manifest\",method=\"GET\",status=\"4xx\"",
                "registry_http_request_duration_seconds_count{handler=\"root\",method=\"GET\",status=\"2xx\"",
                "registry_http_sent_bytes_total{handler=\"blob\"",
                "registry_http_received_bytes_total{handler=\"blob_upload\"",
                "registry_http_in_flight_requests ",
                "registry_uploads_in_progress ",
                "registry_storage_action_seconds_count{action=\"PutContent\",driver=\"inmemory\",outcome=\"success\"",
                "registry_storage_action_seconds_count{action=\"GetContent\",driver=\"inmemory\",outcome=\"not_found\"",
                "registry_redirects_total{target=\"none\"",
                "cache_gets_total{cache=\"blob-descriptors\"",
                "cache_gets_total{cache=\"tags\"",
                "registry_auth_failures_total{reason=\"invalid_token\"",
                "jvm_memory_used_bytes{",
                "process_cpu_usage ")) {
            assertTrue(metrics.contains(series), series + " in\n" + metrics);
        }
        assertTrue(value(metrics, "registry_http_sent_bytes_total{handler=\"blob\"") >= 2 * layer.length, "blob bytes sent");
        assertTrue(value(metrics, "registry_redirects_total{target=\"none\"") >= 2, "streamed blob GETs");
        assertTrue(value(metrics, "registry_http_received_bytes_total{handler=\"blob_upload\"") >= layer.length, "blob bytes received");
        assertEquals(0, value(metrics, "registry_uploads_in_progress "), "no upload in progress");
    }

    @Test
    void debugEndpointsAreOnlyOnTheDebugPort() throws Exception {
        assertEquals(404, request().get("/q/metrics").statusCode());
        assertEquals(404, request().get("/debug/health").statusCode());
        assertEquals(404, request().get("/metrics").statusCode());
        HttpResponse<String> health = debug("/debug/health");
        assertEquals(200, health.statusCode(), health.body());
        assertEquals("{}", health.body());
        assertTrue(health.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        assertEquals(200, request().get("/").statusCode());
    }

    @Test
    void everyKindOfCheckFailsAndRecovers() throws Exception {
        JsonNode ready = RegistryClient.parse(request().get("/q/health/ready").asByteArray());
        for (String name : List.of("storagedriver_inmemory", ObservabilityProfile.DRAIN_FILE.toString(),
                "http://127.0.0.1:" + ObservabilityProfile.HTTP.getAddress().getPort() + "/ping", "127.0.0.1:" + ObservabilityProfile.TCP.port)) {
            assertTrue(ready.toString().contains("\"name\":\"" + name + "\""), name + " in " + ready);
        }
        assertEquals("UP", ready.get("status").asText(), ready.toString());
        assertEquals("berth", ObservabilityProfile.HTTP_HEADER.get(), "the configured header reaches the checked server");

        // file: present = unhealthy at once (how an operator drains a node)
        Files.writeString(ObservabilityProfile.DRAIN_FILE, "drain");
        try {
            String failing = awaitHealth(503, body -> body.contains("file exists"));
            assertEquals(ObservabilityProfile.DRAIN_FILE.toString(), RegistryClient.parse(failing.getBytes()).fieldNames().next());
            assertEquals(503, request().get("/q/health/ready").statusCode());
            // Distribution's health handler answers before the registry's: no API version header
            Response refused = request().get("/v2/");
            assertEquals(503, refused.statusCode());
            assertTrue(refused.asString().contains("\"code\":\"UNAVAILABLE\""), refused.asString());
            assertEquals(503, request().get("/").statusCode());
        } finally {
            Files.delete(ObservabilityProfile.DRAIN_FILE);
        }
        awaitHealth(200, "{}"::equals);
        assertEquals(200, request().get("/").statusCode());

        // http: a wrong status, then the right one again
        ObservabilityProfile.HTTP_STATUS.set(500);
        try {
            awaitHealth(503, body -> body.contains("downstream service returned unexpected status: 500"));
            assertEquals(503, request().get("/q/health/ready").statusCode());
        } finally {
            ObservabilityProfile.HTTP_STATUS.set(204);
        }
        awaitHealth(200, "{}"::equals);

        // tcp: the listener goes away, then comes back on the same port
        ObservabilityProfile.TCP.close();
        try {
            awaitHealth(503, body -> body.contains("connection to 127.0.0.1:" + ObservabilityProfile.TCP.port + " failed"));
        } finally {
            ObservabilityProfile.TCP.open();
        }
        awaitHealth(200, "{}"::equals);
        assertEquals(200, request().get("/q/health/ready").statusCode());
    }

    private static String awaitHealth(int status, Predicate<String> body) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        HttpResponse<String> last;
        do {
            last = debug("/debug/health");
            if (last.statusCode() == status && body.test(last.body())) {
                return last.body();
            }
            Thread.sleep(50);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("/debug/health never answered " + status + " as expected; last: " + last.statusCode() + " " + last.body());
    }

    private static double value(String metrics, String series) {
        for (String line : metrics.split("\n")) {
            if (line.startsWith(series)) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        throw new AssertionError("no series " + series);
    }

    private static HttpResponse<String> debug(String path) throws IOException, InterruptedException {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ObservabilityProfile.DEBUG_PORT + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
