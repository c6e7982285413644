package dev.berth.api;

import static dev.berth.api.RegistryClient.assertBlob;
import static dev.berth.api.RegistryClient.assertError;
import static dev.berth.api.RegistryClient.pushBlob;
import static dev.berth.api.RegistryClient.randomBytes;
import static dev.berth.api.RegistryClient.repo;
import static dev.berth.api.RegistryClient.request;
import static dev.berth.api.RegistryClient.sha256;
import static dev.berth.api.RegistryClient.startUpload;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.berth.registry.Digest;
import dev.berth.registry.StoragePaths;
import dev.berth.storage.PathNotFoundException;
import dev.berth.storage.StorageDriver;
import dev.berth.testsupport.LogCapture;
import dev.berth.testsupport.Poll;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.restassured.RestAssured;
import io.restassured.response.Response;

/**
 * Content addressing under concurrency and hostile clients: requests racing on one upload, a body
 * held back until after completion, clients that cut the connection mid-body. Each case is provoked
 * for real, with raw sockets and concurrent clients, on every driver.
 */
abstract class AbstractUploadIntegrityApiTest {
    private static final Duration PATIENCE = Duration.ofSeconds(20);

    @Inject
    StorageDriver driver;
    @Inject
    PrometheusMeterRegistry meters;

    static String uuidOf(String location) {
        String path = URI.create(location).getRawPath();
        return path.substring(path.lastIndexOf('/') + 1);
    }

    private static URI absolute(String location) {
        URI uri = URI.create(location);
        return uri.isAbsolute() ? uri : URI.create(RestAssured.baseURI + ":" + RestAssured.port + location);
    }

    /** A raw HTTP request whose headers promise {@code length} body bytes, none of which are sent yet. */
    static Socket holdBack(String method, String location, long length) throws IOException {
        URI uri = absolute(location);
        Socket socket = new Socket(uri.getHost(), uri.getPort());
        socket.setSoTimeout((int) PATIENCE.toMillis());
        String head = method + " " + uri.getRawPath() + "?" + uri.getRawQuery() + " HTTP/1.1\r\n"
                + "Host: " + uri.getHost() + ":" + uri.getPort() + "\r\n"
                + "Content-Type: application/octet-stream\r\n"
                + "Content-Length: " + length + "\r\n\r\n";
        socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        return socket;
    }

    /** The status line's code of the answer on {@code socket}. */
    private static int status(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != -1 && c != '\n'; c = in.read()) {
            line.append((char) c);
        }
        String[] parts = line.toString().split(" ");
        return parts.length > 1 ? Integer.parseInt(parts[1]) : -1;
    }

    /** Waits until the lock of {@code uuid} exists in storage: the held-back request owns the upload. */
    void awaitLock(String repo, String uuid) throws InterruptedException {
        awaitLockHeld(repo, uuid, true, "the held-back request never locked upload ");
    }

    private void awaitUnlocked(String repo, String uuid) throws InterruptedException {
        awaitLockHeld(repo, uuid, false, "a cut request kept the lock of upload ");
    }

    private void awaitLockHeld(String repo, String uuid, boolean wanted, String failure) throws InterruptedException {
        String lock = StoragePaths.uploadLock(repo, uuid);
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (System.nanoTime() < deadline) {
            boolean held = driver.stat(lock).map(info -> true)
                    .onFailure(PathNotFoundException.class).recoverWithItem(false).await().atMost(PATIENCE);
            if (held == wanted) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError(failure + uuid);
    }

    private void assertStoredBlobHashesToItsDigest(String digest) {
        byte[] stored;
        try {
            stored = driver.getContent(StoragePaths.blobData(Digest.parse(digest))).await().atMost(PATIENCE);
        } catch (PathNotFoundException e) {
            return;
        }
        assertEquals(digest, sha256(stored), "bytes stored under " + digest + " hash to something else");
    }

    @Test
    void aBodyHeldBackWhileTheUploadIsCompletedNeverReachesTheBlob() throws Exception {
        String repo = repo("integrity");
        byte[] honest = randomBytes(100_000);
        byte[] poison = randomBytes(100_000);
        String digest = sha256(honest);
        String location = startUpload(repo);
        String uuid = uuidOf(location);
        Response patched = request().contentType("application/octet-stream").body(honest).patch(location);
        patched.then().statusCode(202);
        String complete = patched.header("Location") + "&digest=" + digest;

        try (Socket held = holdBack("PATCH", patched.header("Location"), poison.length)) {
            awaitLock(repo, uuid);
            // the upload completed while a PATCH's body is still on its way: refused, not raced
            assertError(request().put(complete), 416, "RANGE_INVALID");

            OutputStream out = held.getOutputStream();
            out.write(poison);
            out.flush();
            assertEquals(202, status(held), "the held-back PATCH, once its body arrives");
        }
        // the state the PUT carried is stale now: the upload holds honest + poison
        assertError(request().put(complete), 416, "RANGE_INVALID");
        request().head("/v2/" + repo + "/blobs/" + digest).then().statusCode(404);
        assertStoredBlobHashesToItsDigest(digest);

        // an honest push of the content afterwards stores exactly that content
        pushBlob(repo, honest);
        assertBlob(repo, digest, honest);
        assertStoredBlobHashesToItsDigest(digest);
    }

    @Test
    void ofConcurrentPatchesAtOneOffsetExactlyOneSucceeds() throws Exception {
        String repo = repo("integrity");
        String location = startUpload(repo);
        URI target = absolute(location);
        int clients = 20;
        List<byte[]> bodies = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            bodies.add(randomBytes(256 * 1024));
        }
        HttpClient http = HttpClient.newBuilder().connectTimeout(PATIENCE).build();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<HttpResponse<String>>> answers = new ArrayList<>();
            for (byte[] body : bodies) {
                answers.add(pool.submit(() -> {
                    go.await();
                    return http.send(HttpRequest.newBuilder(target).timeout(PATIENCE)
                            .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(body))
                            .header("Content-Type", "application/octet-stream").build(), HttpResponse.BodyHandlers.ofString());
                }));
            }
            go.countDown();
            int winner = -1;
            for (int i = 0; i < clients; i++) {
                HttpResponse<String> r = answers.get(i).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
                if (r.statusCode() == 202) {
                    assertEquals(-1, winner, "two PATCHes at one offset both succeeded");
                    winner = i;
                } else {
                    assertEquals(416, r.statusCode(), r.body());
                    assertTrue(r.body().contains("RANGE_INVALID"), r.body());
                }
            }
            assertTrue(winner >= 0, "no PATCH succeeded");

            // the winner's state completes with the winner's digest; a loser's digest is refused
            HttpResponse<String> won = answers.get(winner).get();
            String next = won.headers().firstValue("Location").orElseThrow();
            assertEquals("0-" + (bodies.get(winner).length - 1), won.headers().firstValue("Range").orElseThrow());
            String loserDigest = sha256(bodies.get(winner == 0 ? 1 : 0));
            assertError(request().put(next + "&digest=" + loserDigest), 400, "DIGEST_INVALID");
            assertStoredBlobHashesToItsDigest(loserDigest);
        } finally {
            pool.shutdownNow();
        }

        // a second round, completed by the winner: what is linked is the winner's bytes
        String second = startUpload(repo);
        byte[] body = bodies.get(0);
        Response patched = request().contentType("application/octet-stream").body(body).patch(second);
        patched.then().statusCode(202);
        String digest = sha256(body);
        request().put(patched.header("Location") + "&digest=" + digest).then().statusCode(201);
        assertBlob(repo, digest, body);
        assertStoredBlobHashesToItsDigest(digest);
    }

    @Test
    void uploadsCutMidBodyReleaseTheirLockAndCanBeResumed() throws Exception {
        String repo = repo("integrity");
        byte[] content = randomBytes(300_000);
        String digest = sha256(content);
        String location = startUpload(repo);
        String uuid = uuidOf(location);
        double[] before = {patches("2xx"), patches("4xx"), patches("5xx")};
        try (LogCapture problems = LogCapture.atLeast("dev.berth", Level.WARNING)) {
            for (int i = 0; i < 5; i++) {
                // each time from where the upload stands, as a client resuming after a cut would
                String current = request().get(location).header("Location");
                int at = (int) storedSize(repo, uuid);
                try (Socket cut = holdBack("PATCH", current, content.length - at)) {
                    awaitLock(repo, uuid);
                    cut.getOutputStream().write(content, at, 1000 * (i + 1));
                    cut.getOutputStream().flush();
                    cut.setSoLinger(true, 0); // a reset, as a dropped connection
                }
                awaitUnlocked(repo, uuid);
                location = current;
            }
            // a client's cut is neither the registry's failure nor the storage's: no warning, no error, no 5xx, no 2xx
            Poll.until(() -> patches("4xx") - before[1] >= 5, PATIENCE, "the cut PATCHes counted as 4xx");
            assertEquals(List.of(), problems.lines(), "a client's cut logged as a problem");
        }
        assertEquals(before[0], patches("2xx"), "a cut PATCH counted as answered");
        assertEquals(before[2], patches("5xx"), "a cut PATCH counted as the registry's failure");
        // whatever reached storage is a prefix of what was sent; the client resumes where it stands
        long offset = storedSize(repo, uuid);
        Response status = request().get(location);
        status.then().statusCode(204).header("Range", offset == 0 ? "0-0" : "0-" + (offset - 1));
        Response rest = request().contentType("application/octet-stream")
                .body(Arrays.copyOfRange(content, (int) offset, content.length)).patch(status.header("Location"));
        rest.then().statusCode(202);
        request().put(rest.header("Location") + "&digest=" + digest).then().statusCode(201);
        assertBlob(repo, digest, content);
    }

    /** The upload PATCHes the HTTP metrics counted with {@code statusClass}. */
    private double patches(String statusClass) {
        Timer timer = meters.find("registry.http.request.duration").tags("handler", "blob_upload", "method", "PATCH", "status", statusClass)
                .timer();
        return timer == null ? 0 : timer.count();
    }

    private long storedSize(String repo, String uuid) {
        return driver.writer(StoragePaths.uploadData(repo, uuid), true)
                .call(w -> w.close()).map(w -> w.size()).await().atMost(PATIENCE);
    }

    @Test
    void aCompletedUploadTakesNoMoreWrites() throws Exception {
        String repo = repo("integrity");
        byte[] content = randomBytes(50_000);
        String digest = sha256(content);
        String location = startUpload(repo);
        Response patched = request().contentType("application/octet-stream").body(content).patch(location);
        patched.then().statusCode(202);
        String next = patched.header("Location");
        request().put(next + "&digest=" + digest).then().statusCode(201);
        // a late PATCH or PUT with a state that was valid before completion
        assertError(request().contentType("application/octet-stream").body(randomBytes(10)).patch(next), 404, "BLOB_UPLOAD_UNKNOWN");
        assertError(request().contentType("application/octet-stream").body(randomBytes(10)).patch(location), 404, "BLOB_UPLOAD_UNKNOWN");
        assertBlob(repo, digest, content);
        assertStoredBlobHashesToItsDigest(digest);
    }
}
