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

/** With its bucket unreachable Berth still starts and answers; readiness says it is not ready. */
class S3UnreachableIT {
    @TempDir
    Path work;

    @Test
    void readinessFailsInsteadOfTheProcessHanging() throws Exception {
        String config = "version: 0.1\nlog:\n  level: warn\nstorage:\n  s3:\n    region: us-east-1\n"
                + "    regionendpoint: http://127.0.0.1:" + BerthProcess.freePort() + "\n    forcepathstyle: true\n    bucket: nowhere\n"
                + "    accesskey: a\n    secretkey: b\n";
        try (BerthProcess berth = BerthProcess.start(work, config, List.of(), Map.of())) {
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
        }
    }
}
