package dev.berth.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With its bucket unreachable Berth still starts and answers; readiness says it is not ready, and the
 * {@code health.storagedriver} check, after its threshold of failures, turns the node away as Distribution does.
 */
class S3UnreachableIT {
    @TempDir
    Path work;

    @Test
    void readinessFailsInsteadOfTheProcessHanging() throws Exception {
        String config = "version: 0.1\nlog:\n  level: warn\nstorage:\n  s3:\n    region: us-east-1\n"
                + "    regionendpoint: http://127.0.0.1:" + BerthProcess.freePort() + "\n    forcepathstyle: true\n    bucket: nowhere\n"
                + "    accesskey: a\n    secretkey: b\nhealth:\n  storagedriver:\n    enabled: true\n    interval: 1s\n    threshold: 2\n";
        int debugPort = BerthProcess.freePort();
        try (BerthProcess berth = BerthProcess.start(work, config, "  debug:\n    addr: 127.0.0.1:" + debugPort + "\n", List.of(), Map.of())) {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            long start = System.nanoTime();
            HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create(berth.url("/q/health/ready")))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(503, ready.statusCode(), ready.body());
            assertTrue(ready.body().contains("s3 bucket"), ready.body());
            assertTrue(Duration.ofNanos(System.nanoTime() - start).toSeconds() < 20, "answered within the check's timeout");

            HttpResponse<String> blob = http.send(HttpRequest.newBuilder(URI.create(berth.url(
                    "/v2/x/y/blobs/sha256:" + "a".repeat(64)))).timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(503, blob.statusCode(), "storage unavailable, not a 500: " + blob.body());

            // the storagedriver check has failed twice by now (every second, each within its timeout)
            HttpResponse<String> debug = awaitStatus(http, "http://127.0.0.1:" + debugPort + "/debug/health", 503);
            assertTrue(debug.body().contains("\"storagedriver_s3\""), debug.body());
            HttpResponse<String> base = http.send(HttpRequest.newBuilder(URI.create(berth.url("/v2/"))).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(503, base.statusCode(), "a failing health check turns requests away");
            assertTrue(base.body().contains("\"UNAVAILABLE\"") && base.body().contains("/debug/health"), base.body());
            HttpResponse<String> readiness = http.send(HttpRequest.newBuilder(URI.create(berth.url("/q/health/ready")))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            assertTrue(readiness.body().contains("storagedriver_s3"), readiness.body());
        }
    }

    private static HttpResponse<String> awaitStatus(HttpClient http, String url, int status) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        HttpResponse<String> response;
        do {
            response = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == status) {
                return response;
            }
            Thread.sleep(200);
        } while (System.nanoTime() < deadline);
        throw new AssertionError(url + " answered " + response.statusCode() + ", not " + status + ": " + response.body());
    }
}
