package dev.berth.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A blob several times larger than Berth's heap is pushed in one streamed PATCH and pulled back
 * intact: proof that request bodies are streamed with back-pressure, never held whole.
 */
class LargeUploadIT {
    private static final long HEAP_MIB = 96;
    private static final long BLOB_BYTES = 640L * 1024 * 1024;

    @TempDir
    Path work;

    @Test
    void uploadLargerThanTheHeapStreamsThrough() throws Exception {
        String config = "version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: " + work.resolve("data") + "\n";
        try (BerthProcess berth = BerthProcess.start(work, config, List.of("-Xmx" + HEAP_MIB + "m"), Map.of())) {
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<Void> started = http.send(HttpRequest.newBuilder(URI.create(berth.url("/v2/big/blobs/uploads/")))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
            assertEquals(202, started.statusCode());
            String location = started.headers().firstValue("Location").orElseThrow();

            GeneratedContent content = new GeneratedContent(BLOB_BYTES, 42);
            HttpResponse<String> patched = http.send(HttpRequest.newBuilder(URI.create(location))
                    .method("PATCH", HttpRequest.BodyPublishers.ofInputStream(() -> content))
                    .header("Content-Type", "application/octet-stream").build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(202, patched.statusCode(), patched.body());
            assertEquals("0-" + (BLOB_BYTES - 1), patched.headers().firstValue("Range").orElseThrow());
            String digest = content.digest();

            String next = patched.headers().firstValue("Location").orElseThrow();
            HttpResponse<String> done = http.send(HttpRequest.newBuilder(URI.create(next + "&digest=" + digest))
                    .PUT(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(201, done.statusCode(), done.body());
            assertEquals(digest, done.headers().firstValue("Docker-Content-Digest").orElseThrow());

            HttpResponse<InputStream> pulled = http.send(HttpRequest.newBuilder(URI.create(berth.url("/v2/big/blobs/" + digest))).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, pulled.statusCode());
            assertEquals(Long.toString(BLOB_BYTES), pulled.headers().firstValue("Content-Length").orElseThrow());
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            long total = 0;
            try (InputStream in = pulled.body()) {
                byte[] buf = new byte[1 << 16];
                for (int n; (n = in.read(buf)) > 0;) {
                    sha.update(buf, 0, n);
                    total += n;
                }
            }
            assertEquals(BLOB_BYTES, total);
            assertEquals(digest, "sha256:" + HexFormat.of().formatHex(sha.digest()));
            assertTrue(!berth.log().contains("OutOfMemoryError"), "no OutOfMemoryError in the log");
        }
    }
}
