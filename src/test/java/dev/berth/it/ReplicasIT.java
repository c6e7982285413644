package dev.berth.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.berth.storage.s3.S3ProxyResource;

/**
 * Two Berth processes on one bucket, as a scaled-out deployment runs: uploads continued on the
 * other replica, concurrent requests on one upload split across replicas, and a replica killed
 * with SIGKILL mid-upload while another takes over.
 */
class ReplicasIT {
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final int CHUNK = 5 * 1024 * 1024;

    @TempDir
    static Path work;
    static S3ProxyResource s3;
    static String config;
    static BerthProcess a;
    static BerthProcess b;
    // blob GETs answer 307 to the presigned S3Proxy URL
    final HttpClient http = HttpClient.newBuilder().connectTimeout(PATIENCE).followRedirects(HttpClient.Redirect.NORMAL).build();

    @BeforeAll
    static void start() throws Exception {
        s3 = new S3ProxyResource();
        String endpoint = s3.start().get("storage.s3.regionendpoint");
        config = "version: 0.1\nlog:\n  level: warn\nstorage:\n  s3:\n"
                + "    region: us-east-1\n    regionendpoint: " + endpoint + "\n    forcepathstyle: true\n"
                + "    bucket: " + S3ProxyResource.BUCKET + "\n    accesskey: " + S3ProxyResource.ACCESS_KEY + "\n"
                + "    secretkey: " + S3ProxyResource.SECRET_KEY + "\n    rootdirectory: /replicas\n    chunksize: " + CHUNK + "\n";
        a = replica("a");
        b = replica("b");
    }

    static BerthProcess replica(String name) throws Exception {
        Path dir = Files.createDirectories(work.resolve(name + System.nanoTime()));
        return BerthProcess.start(dir, config, List.of(), Map.of());
    }

    @AfterAll
    static void stop() throws Exception {
        for (BerthProcess p : new BerthProcess[] { a, b }) {
            if (p != null) {
                p.close();
            }
        }
        if (s3 != null) {
            s3.stop();
        }
    }

    /** The same upload URL on another replica: same path and state, other host. */
    private static String on(BerthProcess replica, String location) {
        URI uri = URI.create(location);
        return replica.url(uri.getRawPath() + "?" + uri.getRawQuery());
    }

    private String start(BerthProcess replica, String repo) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(replica.url("/v2/" + repo + "/blobs/uploads/")))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(202, r.statusCode(), r.body());
        return r.headers().firstValue("Location").orElseThrow();
    }

    private HttpResponse<String> patch(String url, HttpRequest.BodyPublisher body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(PATIENCE).method("PATCH", body)
                .header("Content-Type", "application/octet-stream").build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> put(String url, String digest) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url + "&digest=" + digest)).timeout(PATIENCE)
                .PUT(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private byte[] pull(BerthProcess replica, String repo, String digest) throws Exception {
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(replica.url("/v2/" + repo + "/blobs/" + digest))).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode());
        return r.body();
    }

    private static byte[] random(int size, long seed) {
        byte[] out = new byte[size];
        new Random(seed).nextBytes(out);
        return out;
    }

    private static String sha256(byte[] data) throws Exception {
        return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }

    @Test
    void chunksAlternatingBetweenReplicasMakeTheRightBlob() throws Exception {
        String repo = "replicas/alternate";
        byte[] content = random(3 * CHUNK + 12_345, 1);
        String location = start(a, repo);
        int at = 0;
        int piece = CHUNK + 777;
        BerthProcess[] order = { b, a, b, a };
        for (int i = 0; at < content.length; i++) {
            int end = Math.min(content.length, at + piece);
            HttpResponse<String> r = patch(on(order[i], location), HttpRequest.BodyPublishers.ofByteArray(Arrays.copyOfRange(content, at, end)));
            assertEquals(202, r.statusCode(), r.body());
            assertEquals("0-" + (end - 1), r.headers().firstValue("Range").orElseThrow());
            location = r.headers().firstValue("Location").orElseThrow();
            at = end;
        }
        // a wrong digest is refused on the replica that did not stream the last chunk (it hashes what is stored)
        String digest = sha256(content);
        HttpResponse<String> done = put(on(b, location), digest);
        assertEquals(201, done.statusCode(), done.body());
        assertArrayEquals(content, pull(a, repo, digest));
    }

    @Test
    void concurrentPatchesSplitAcrossReplicasLetExactlyOneThrough() throws Exception {
        String repo = "replicas/race";
        String location = start(a, repo);
        int clients = 12;
        List<byte[]> bodies = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<HttpResponse<String>>> answers = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                byte[] body = random(1024 * 1024, 100 + i);
                bodies.add(body);
                String url = on(i % 2 == 0 ? a : b, location);
                answers.add(pool.submit(() -> {
                    go.await();
                    return patch(url, HttpRequest.BodyPublishers.ofByteArray(body));
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
                }
            }
            assertTrue(winner >= 0, "no PATCH succeeded");
            String next = answers.get(winner).get().headers().firstValue("Location").orElseThrow();
            // the replica that did not take the winning PATCH completes it: it hashes what is stored
            BerthProcess other = winner % 2 == 0 ? b : a;
            HttpResponse<String> wrong = put(on(other, next), sha256(bodies.get((winner + 1) % clients)));
            assertEquals(400, wrong.statusCode(), wrong.body());
            assertTrue(wrong.body().contains("DIGEST_INVALID"), wrong.body());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void anUploadCutBySigkillIsTakenOverByAnotherReplica() throws Exception {
        String repo = "replicas/killed";
        byte[] content = random(4 * CHUNK, 7);
        BerthProcess victim = replica("victim");
        String location = start(victim, repo);
        CountDownLatch halfway = new CountDownLatch(1);
        // the body stops after two and a half chunks and waits: the replica dies mid-request
        InputStream slow = new InputStream() {
            int at;

            @Override
            public int read() {
                throw new UnsupportedOperationException();
            }

            @Override
            public int read(byte[] buf, int off, int len) throws IOException {
                if (at >= CHUNK * 5 / 2) {
                    halfway.countDown();
                    try {
                        Thread.sleep(PATIENCE.toMillis());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    throw new IOException("gave up");
                }
                int n = Math.min(len, Math.min(64 * 1024, CHUNK * 5 / 2 - at));
                System.arraycopy(content, at, buf, off, n);
                at += n;
                return n;
            }
        };
        String patchUrl = location;
        Future<?> cut = Executors.newSingleThreadExecutor().submit(() -> patch(patchUrl, HttpRequest.BodyPublishers.ofInputStream(() -> slow)));
        assertTrue(halfway.await(PATIENCE.toSeconds(), TimeUnit.SECONDS), "the body never reached halfway");
        Thread.sleep(1000);
        victim.kill();
        cut.cancel(true);

        // the killed replica's lock holds until its lease runs out, then another replica continues
        String status = on(a, location);
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        HttpResponse<String> resumed = null;
        while (System.nanoTime() < deadline) {
            HttpResponse<Void> where = http.send(HttpRequest.newBuilder(URI.create(status)).build(), HttpResponse.BodyHandlers.discarding());
            assertEquals(204, where.statusCode());
            String range = where.headers().firstValue("Range").orElseThrow();
            int offset = range.equals("0-0") ? 0 : Integer.parseInt(range.substring(2)) + 1;
            assertEquals(0, offset % CHUNK, "a killed writer leaves whole parts only: " + range);
            String next = on(a, where.headers().firstValue("Location").orElseThrow());
            resumed = patch(next, HttpRequest.BodyPublishers.ofByteArray(Arrays.copyOfRange(content, offset, content.length)));
            if (resumed.statusCode() == 202) {
                break;
            }
            assertEquals(416, resumed.statusCode(), resumed.body());
            Thread.sleep(1000);
        }
        assertEquals(202, resumed.statusCode(), "never taken over: " + resumed.body());
        String digest = sha256(content);
        HttpResponse<String> done = put(on(b, resumed.headers().firstValue("Location").orElseThrow()), digest);
        assertEquals(201, done.statusCode(), done.body());
        assertArrayEquals(content, pull(b, repo, digest));
    }
}
