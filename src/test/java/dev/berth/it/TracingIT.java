package dev.berth.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpServer;

/**
 * OpenTelemetry on the packaged registry, turned on by the standard OTEL_* environment: a request
 * joined to the caller's trace ({@code traceparent}) is exported with its storage calls as spans of
 * that same trace, to an OTLP/HTTP receiver on loopback.
 */
class TracingIT {
    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";

    @TempDir
    Path work;

    @Test
    void storageCallsAreSpansOfTheRequestsTrace() throws Exception {
        ByteArrayOutputStream exported = new ByteArrayOutputStream();
        HttpServer collector = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
        collector.createContext("/v1/traces", exchange -> {
            try (exchange) {
                byte[] body = exchange.getRequestBody().readAllBytes();
                synchronized (exported) {
                    exported.write(body);
                }
                exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
                exchange.sendResponseHeaders(200, -1);
            }
        });
        collector.start();
        String config = "version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: " + work.resolve("data") + "\n";
        Map<String, String> env = Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + collector.getAddress().getPort(),
                "OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf", "OTEL_SERVICE_NAME", "berth-it");
        try (BerthProcess berth = BerthProcess.start(work, config, List.of(), env)) {
            byte[] blob = "traced blob".getBytes(StandardCharsets.UTF_8);
            String digest = OciLayout.sha256(blob);
            HttpResponse<Void> pushed = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(berth.url("/v2/traced/app/blobs/uploads/?digest=" + digest)))
                    .header("traceparent", "00-" + TRACE_ID + "-00f067aa0ba902b7-01")
                    .header("Content-Type", "application/octet-stream")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(blob)).build(), HttpResponse.BodyHandlers.discarding());
            assertEquals(201, pushed.statusCode());
            byte[] traceId = HexFormat.of().parseHex(TRACE_ID);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            String spans = "";
            while (System.nanoTime() < deadline && !(spans.contains("storage putContent") && spans.contains("berth-it"))) {
                Thread.sleep(200);
                synchronized (exported) {
                    spans = exported.toString(StandardCharsets.ISO_8859_1);
                }
            }
            assertTrue(spans.contains("berth-it"), "service name from OTEL_SERVICE_NAME");
            assertTrue(spans.contains("storage putContent") && spans.contains("storage stat"), "storage spans exported");
            // each span holds its trace id as 16 raw bytes: the server span and the push's storage spans carry the caller's
            String id = new String(traceId, StandardCharsets.ISO_8859_1);
            int inTrace = 0;
            for (int at = spans.indexOf(id); at >= 0; at = spans.indexOf(id, at + 1)) {
                inTrace++;
            }
            assertTrue(inTrace >= 4, inTrace + " spans in the caller's trace: the request and its storage calls");
            assertTrue(berth.log().contains("opentelemetry"), "the extension is installed");
        } finally {
            collector.stop(0);
        }
    }
}
