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

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;

/**
 * OpenTelemetry on the packaged registry, turned on by the standard OTEL_* environment: a request
 * joined to the caller's trace ({@code traceparent}) is exported with its storage calls as spans of
 * that same trace, to an OTLP receiver on loopback, over OTLP/HTTP and over OTLP/gRPC (the default).
 */
class TracingIT {
    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String GRPC_EXPORT = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";

    @TempDir
    Path work;

    @Test
    void storageCallsAreSpansOfTheRequestsTraceOverHttp() throws Exception {
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
        try {
            pushTracedAndCheckExport("http/protobuf", collector.getAddress().getPort(), exported);
        } finally {
            collector.stop(0);
        }
    }

    @Test
    void storageCallsAreSpansOfTheRequestsTraceOverGrpc() throws Exception {
        ByteArrayOutputStream exported = new ByteArrayOutputStream();
        Vertx vertx = Vertx.vertx();
        try {
            // a gRPC receiver: HTTP/2 without TLS, one length-prefixed message each way, status in the trailers
            int port = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
                    .requestHandler(request -> request.body().onSuccess(body -> {
                        if (request.path().equals(GRPC_EXPORT)) {
                            synchronized (exported) {
                                exported.writeBytes(body.getBytes());
                            }
                        }
                        request.response().putHeader("content-type", "application/grpc")
                                .putTrailer("grpc-status", request.path().equals(GRPC_EXPORT) ? "0" : "12")
                                .end(Buffer.buffer(new byte[5])); // an empty ExportTraceServiceResponse
                    }))
                    .listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();
            pushTracedAndCheckExport("grpc", port, exported);
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    private void pushTracedAndCheckExport(String protocol, int collectorPort, ByteArrayOutputStream exported) throws Exception {
        String config = "version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: " + work.resolve("data") + "\n";
        Map<String, String> env = Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + collectorPort,
                "OTEL_EXPORTER_OTLP_PROTOCOL", protocol, "OTEL_SERVICE_NAME", "berth-it");
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
            assertTrue(spans.contains("berth-it"), "service name from OTEL_SERVICE_NAME, over " + protocol);
            assertTrue(spans.contains("storage putContent") && spans.contains("storage stat"), "storage spans exported over " + protocol);
            // each span holds its trace id as 16 raw bytes: the server span and the push's storage spans carry the caller's
            String id = new String(traceId, StandardCharsets.ISO_8859_1);
            int inTrace = 0;
            for (int at = spans.indexOf(id); at >= 0; at = spans.indexOf(id, at + 1)) {
                inTrace++;
            }
            assertTrue(inTrace >= 4, inTrace + " spans in the caller's trace: the request and its storage calls");
            assertTrue(berth.log().contains("opentelemetry"), "the extension is installed");
        }
    }
}
