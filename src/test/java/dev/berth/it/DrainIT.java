package dev.berth.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code http.draintimeout} on the packaged registry: a 20 MB upload sent at 1 MB/s is in flight when
 * the process gets SIGTERM. With a drain long enough it completes (201) and the blob is readable after
 * a restart; with a short one it is cut, and the log says so rather than logging an answer. While
 * draining, a new connection is refused, and on connections already open readiness is down and new
 * requests get 503.
 */
class DrainIT {
    private static final int BLOB_BYTES = 20 * 1024 * 1024;
    private static final int BYTES_PER_SECOND = 1024 * 1024;
    private static final long SEED = 13;

    @TempDir
    Path work;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private String config() {
        return "version: 0.1\nlog:\n  level: info\nstorage:\n  filesystem:\n    rootdirectory: " + work.resolve("data") + "\n";
    }

    @Test
    void anUploadInFlightFinishesWithinTheDrainAndIsReadableAfterRestart() throws Exception {
        String digest = digestOfContent();
        BerthProcess berth = BerthProcess.start(work, config(), "  draintimeout: 60s\n", List.of(), Map.of());
        try {
            CompletableFuture<HttpResponse<String>> upload = slowUpload(berth, digest);
            // connections a load balancer holds open, idle when the drain starts
            try (Socket probe = connect(berth); Socket client = connect(berth)) {
                Thread.sleep(3000);
                berth.terminate();
                Thread.sleep(500);
                ConnectException refused = assertThrows(ConnectException.class, () -> connect(berth).close(),
                        "a new connection is refused while draining");
                assertTrue(refused.getMessage().contains("refused"), refused.toString());
                assertEquals(503, status(probe, "/q/health/ready"), "readiness is down while draining");
                assertEquals(503, status(client, "/v2/"), "new requests are refused while draining");
            }
            HttpResponse<String> done = upload.get(60, TimeUnit.SECONDS);
            assertEquals(201, done.statusCode(), done.body());
            assertEquals(digest, done.headers().firstValue("Docker-Content-Digest").orElseThrow());
            berth.awaitExit(Duration.ofSeconds(30));
            assertTrue(berth.log().contains("draining:"), berth.log());
            assertTrue(!berth.log().contains("request cut"), berth.log());
        } finally {
            berth.close();
        }
        try (BerthProcess again = BerthProcess.start(work, config(), List.of(), Map.of())) {
            HttpResponse<byte[]> pulled = http.send(HttpRequest.newBuilder(URI.create(again.url("/v2/drain/blob/blobs/" + digest))).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, pulled.statusCode());
            assertEquals(digest, OciLayout.sha256(pulled.body()));
        }
    }

    @Test
    void anUploadStillRunningAtTheDeadlineIsCutAndLoggedAsCut() throws Exception {
        String digest = digestOfContent();
        try (BerthProcess berth = BerthProcess.start(work, config(), "  draintimeout: 2s\n", List.of(), Map.of())) {
            CompletableFuture<HttpResponse<String>> upload = slowUpload(berth, digest);
            Thread.sleep(3000);
            long terminated = System.nanoTime();
            berth.terminate();
            ExecutionException failed = assertThrows(ExecutionException.class, () -> upload.get(30, TimeUnit.SECONDS));
            assertTrue(failed.getCause() instanceof IOException, failed.toString());
            berth.awaitExit(Duration.ofSeconds(30));
            long tookMillis = (System.nanoTime() - terminated) / 1_000_000;
            assertTrue(tookMillis >= 1900 && tookMillis < 15_000, "exited " + tookMillis + " ms after SIGTERM");
            String log = berth.log();
            assertTrue(log.contains("request cut at the end of the drain (http.draintimeout 2.0s): PUT /v2/drain/blob/blobs/uploads/"), log);
            String accessLine = log.lines().filter(l -> l.contains("[de.be.access]") && l.contains("\"PUT ")).findFirst().orElseThrow();
            assertTrue(accessLine.contains(" HTTP/1.1\" cut "), accessLine);
        }
    }

    /** Starts an upload and sends the blob in one PUT at {@link #BYTES_PER_SECOND}. */
    private CompletableFuture<HttpResponse<String>> slowUpload(BerthProcess berth, String digest) throws Exception {
        HttpResponse<Void> started = http.send(HttpRequest.newBuilder(URI.create(berth.url("/v2/drain/blob/blobs/uploads/")))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        assertEquals(202, started.statusCode());
        String location = started.headers().firstValue("Location").orElseThrow();
        return http.sendAsync(HttpRequest.newBuilder(URI.create(location + "&digest=" + digest))
                .header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(
                        () -> new Throttled(new GeneratedContent(BLOB_BYTES, SEED), BYTES_PER_SECOND)), BLOB_BYTES))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Socket connect(BerthProcess berth) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), berth.port());
        socket.setSoTimeout(5000);
        return socket;
    }

    /** Sends a GET on an open connection and reads the status code of the answer. */
    private static int status(Socket socket, String path) throws IOException {
        socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        String statusLine = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII)).readLine();
        return Integer.parseInt(statusLine.split(" ")[1]);
    }

    private static String digestOfContent() throws IOException {
        GeneratedContent content = new GeneratedContent(BLOB_BYTES, SEED);
        content.transferTo(OutputStream.nullOutputStream());
        return content.digest();
    }

    /** An input stream read no faster than {@code bytesPerSecond} on average. */
    private static final class Throttled extends FilterInputStream {
        private final long bytesPerSecond;
        private final long start = System.nanoTime();
        private long sent;

        Throttled(InputStream in, long bytesPerSecond) {
            super(in);
            this.bytesPerSecond = bytesPerSecond;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            // wait until the elapsed time allows at least one more small slice
            long due = start + (sent + 8192) * 1_000_000_000L / bytesPerSecond;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                try {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", e);
                }
            }
            long allowed = (System.nanoTime() - start) * bytesPerSecond / 1_000_000_000L - sent;
            int n = super.read(b, off, (int) Math.max(1, Math.min(len, allowed)));
            if (n > 0) {
                sent += n;
            }
            return n;
        }
    }
}
