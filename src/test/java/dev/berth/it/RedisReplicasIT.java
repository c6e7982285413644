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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.berth.storage.s3.S3ProxyResource;
import dev.berth.testsupport.TcpRelay;

/**
 * Three Berth processes on one S3Proxy bucket and one real {@code redis-server}, with long local cache
 * lifetimes: what one replica changes, the others serve at once (Redis pub/sub invalidations), blob
 * descriptors are shared in Redis under Distribution's keys, and a Redis killed and restarted mid-traffic
 * fails no request while the replicas serve from storage, then resubscribe.
 */
class RedisReplicasIT {
    private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    /** The bound for a change made on one replica to be served by the others. */
    private static final Duration AT_ONCE = Duration.ofMillis(100);
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @TempDir
    static Path work;
    static S3ProxyResource s3;
    static RedisServer redis;
    static BerthProcess a;
    static BerthProcess b;
    static BerthProcess c;
    /** C reaches Redis through a relay, to be cut off alone. */
    static TcpRelay relayOfC;
    static String config;
    static int debugPort;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(PATIENCE).build();

    @BeforeAll
    static void start() throws Exception {
        s3 = new S3ProxyResource();
        String endpoint = s3.start().get("storage.s3.regionendpoint");
        redis = RedisServer.start(Files.createDirectories(work.resolve("redis")));
        config = "version: 0.1\nlog:\n  level: info\n  accesslog:\n    disabled: true\nstorage:\n  s3:\n"
                + "    region: us-east-1\n    regionendpoint: " + endpoint + "\n    forcepathstyle: true\n"
                + "    bucket: " + S3ProxyResource.BUCKET + "\n    accesskey: " + S3ProxyResource.ACCESS_KEY + "\n"
                + "    secretkey: " + S3ProxyResource.SECRET_KEY + "\n    rootdirectory: /redis-replicas\n"
                + "  delete:\n    enabled: true\n"
                // long lifetimes: without invalidations every replica would serve its stale entries for an hour
                + "  cache:\n    blobdescriptor: redis\n    tagttl: 1h\n    descriptorttl: 1h\n"
                + "redis:\n  addr: %s\n  dialtimeout: 1s\n  readtimeout: 1s\n  writetimeout: 1s\n"
                + "  pool:\n    maxidle: 4\n    maxactive: 8\n    idletimeout: 60s\n";
        relayOfC = new TcpRelay(redis.port());
        debugPort = BerthProcess.freePort();
        // A serves its metrics on a debug port
        a = BerthProcess.start(Files.createDirectories(work.resolve("a")), config.formatted(redis.addr()),
                "  debug:\n    addr: 127.0.0.1:" + debugPort + "\n    prometheus:\n      enabled: true\n", List.of(), Map.of());
        b = replica("b", config.formatted(redis.addr()));
        c = replica("c", config.formatted("127.0.0.1:" + relayOfC.port()));
        for (BerthProcess replica : List.of(a, b, c)) {
            awaitRedisState(replica, "up");
        }
    }

    static BerthProcess replica(String name, String config) throws Exception {
        return BerthProcess.start(Files.createDirectories(work.resolve(name)), config, List.of(), Map.of());
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable p : new AutoCloseable[] { a, b, c, relayOfC, redis }) {
            if (p != null) {
                p.close();
            }
        }
        if (s3 != null) {
            s3.stop();
        }
    }

    @Test
    void aTagMovedOnOneReplicaIsServedNewByTheOthersWithin100Ms() throws Exception {
        String repo = "fleet/tags";
        String first = pushImage(a, repo, "v1", "one");
        String second = pushImage(a, repo, "other", "two");
        // B and C read the tag once: with tagttl 1h they would keep it for an hour
        assertEquals(first, manifestDigest(b, repo, "v1"));
        assertEquals(first, manifestDigest(c, repo, "v1"));

        assertEquals(201, putManifest(a, repo, "v1", manifest(repo, "two")).statusCode());
        long moved = System.nanoTime();
        awaitDigest(List.of(b, c), repo, "v1", second, moved);
    }

    @Test
    void aManifestDeletedOnOneReplicaIs404OnTheOthersAtOnce() throws Exception {
        String repo = "fleet/deleted";
        String digest = pushImage(a, repo, "v1", "gone");
        assertEquals(200, getManifest(b, repo, digest).statusCode());
        assertEquals(200, getManifest(c, repo, digest).statusCode());

        HttpResponse<String> deleted = delete(a, "/v2/" + repo + "/manifests/" + digest);
        assertEquals(202, deleted.statusCode(), deleted.body());
        assertEquals(404, getManifest(b, repo, digest).statusCode());
        assertEquals(404, getManifest(c, repo, digest).statusCode());
        assertEquals(404, getManifest(b, repo, "v1").statusCode());
    }

    @Test
    void blobDescriptorsAreSharedUnderDistributionsKeysAndDeletesReachEveryReplica() throws Exception {
        String repo = "fleet/blobs";
        byte[] layer = "a layer shared through redis".getBytes(StandardCharsets.UTF_8);
        String digest = pushBlob(a, repo, layer);
        assertEquals(200, headBlob(b, repo, digest).statusCode());
        awaitRedis(() -> redis.cli("SISMEMBER", "repository::" + repo + "::blobs", digest).equals("1"));
        assertEquals(Integer.toString(layer.length), redis.cli("HGET", "blobs::" + digest, "size"));
        assertEquals(digest, redis.cli("HGET", "blobs::" + digest, "digest"));
        assertEquals("application/octet-stream", redis.cli("HGET", "repository::" + repo + "::blobs::" + digest, "mediatype"));
        assertEquals(200, headBlob(c, repo, digest).statusCode());

        HttpResponse<String> deleted = delete(a, "/v2/" + repo + "/blobs/" + digest);
        assertEquals(202, deleted.statusCode(), deleted.body());
        assertEquals("0", redis.cli("SISMEMBER", "repository::" + repo + "::blobs", digest));
        assertEquals(404, headBlob(b, repo, digest).statusCode());
        assertEquals(404, headBlob(c, repo, digest).statusCode());
    }

    @Test
    void whatAGarbageCollectionSweepsIsGoneFromEveryReplicaAtOnce() throws Exception {
        String repo = "fleet/collected";
        String digest = pushImage(a, repo, "v1", "collected");
        String layer = pushBlob(a, repo, "layer collected".getBytes(StandardCharsets.UTF_8));
        assertEquals(200, headBlob(b, repo, layer).statusCode());
        assertEquals(200, headBlob(c, repo, layer).statusCode());
        awaitRedis(() -> redis.cli("HGET", "blobs::" + layer, "size").equals("15"));
        HttpResponse<String> deleted = delete(a, "/v2/" + repo + "/manifests/" + digest);
        assertEquals(202, deleted.statusCode(), deleted.body());
        // the layer is linked in the repository but no manifest references it: the command sweeps it
        Path gc = Files.createDirectories(work.resolve("gc"));
        Path file = Files.writeString(gc.resolve("config.yml"), config.formatted(redis.addr()));
        BerthProcess.Result result = BerthProcess.runToExit(gc, List.of("garbage-collect", "--grace", "0s", file.toString()), Map.of());
        assertEquals(0, result.exitCode(), result.output());
        assertTrue(result.output().contains(layer), result.output());
        assertEquals("", redis.cli("HGET", "blobs::" + layer, "size"));
        assertEquals(404, headBlob(b, repo, layer).statusCode());
        assertEquals(404, headBlob(c, repo, layer).statusCode());
    }

    @Test
    void aReplicaCutOffFromRedisTellsTheOthersWhatItChangedOnceItIsBack() throws Exception {
        String repo = "fleet/cut";
        String first = pushImage(a, repo, "v1", "cut one");
        String second = pushImage(a, repo, "other", "cut two");
        String blob = pushBlob(a, repo, "cut layer".getBytes(StandardCharsets.UTF_8));
        assertEquals(200, headBlob(b, repo, blob).statusCode());
        awaitRedis(() -> redis.cli("SISMEMBER", "repository::" + repo + "::blobs", blob).equals("1"));
        assertEquals(first, manifestDigest(b, repo, "v1"));

        relayOfC.cut();
        awaitRedisState(c, "degraded");
        // C can neither clear Redis nor tell B: B may serve what it holds until C is back
        assertEquals(201, putManifest(c, repo, "v1", manifest(repo, "cut two")).statusCode());
        assertEquals(202, delete(c, "/v2/" + repo + "/blobs/" + blob).statusCode());
        assertEquals(404, headBlob(c, repo, blob).statusCode());

        relayOfC.restore();
        awaitRedisState(c, "up");
        assertEquals("0", redis.cli("SISMEMBER", "repository::" + repo + "::blobs", blob));
        assertEquals(404, headBlob(b, repo, blob).statusCode());
        assertEquals(second, manifestDigest(b, repo, "v1"));
    }

    @Test
    void redisKilledAndRestartedFailsNoRequestAndInvalidationsResume() throws Exception {
        String repo = "fleet/outage";
        String first = pushImage(a, repo, "v1", "before");
        String blob = pushBlob(a, repo, "outage layer".getBytes(StandardCharsets.UTF_8));
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger requests = new AtomicInteger();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        Thread traffic = new Thread(() -> {
            List<BerthProcess> replicas = List.of(a, b, c);
            for (int i = 0; running.get(); i++) {
                BerthProcess replica = replicas.get(i % 3);
                try {
                    HttpResponse<String> m = getManifest(replica, repo, "v1");
                    HttpResponse<String> h = headBlob(replica, repo, blob);
                    requests.addAndGet(2);
                    if (m.statusCode() != 200 || h.statusCode() != 200) {
                        failures.add(replica.port() + ": manifest " + m.statusCode() + ", blob " + h.statusCode() + " " + m.body());
                    }
                } catch (Exception e) {
                    failures.add(replica.port() + ": " + e);
                }
            }
        });
        traffic.start();
        try {
            Thread.sleep(500);
            redis.kill();
            for (BerthProcess replica : List.of(a, b, c)) {
                awaitRedisState(replica, "degraded");
            }
            assertTrue(metrics().contains("registry_redis_up 0.0"), "registry_redis_up during the outage");
            // while Redis is down, nothing invalidates: the replicas serve from storage
            String during = pushImage(a, repo, "v1", "during");
            assertEquals(during, manifestDigest(b, repo, "v1"));
            assertEquals(during, manifestDigest(c, repo, "v1"));
            Thread.sleep(500);

            redis.start();
            for (BerthProcess replica : List.of(a, b, c)) {
                awaitRedisState(replica, "up");
            }
            assertTrue(metrics().contains("registry_redis_up 1.0"), "registry_redis_up after the outage");
            // the tag is cached again on B and C, then moved on A: the invalidation must arrive
            assertEquals(during, manifestDigest(b, repo, "v1"));
            assertEquals(during, manifestDigest(c, repo, "v1"));
            assertEquals(201, putManifest(a, repo, "v1", manifest(repo, "before")).statusCode());
            awaitDigest(List.of(b, c), repo, "v1", first, System.nanoTime());
            Thread.sleep(500);
        } finally {
            running.set(false);
            traffic.join(PATIENCE.toMillis());
        }
        assertEquals(List.of(), new ArrayList<>(failures), "requests failed during the Redis outage");
        assertTrue(requests.get() > 20, "too few requests during the outage: " + requests.get());
        assertTrue(a.log().contains("unreachable"), "the outage is logged");
    }

    // --- helpers

    private HttpResponse<String> delete(BerthProcess replica, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(replica.url(path))).DELETE().build(), HttpResponse.BodyHandlers.ofString());
    }

    private String metrics() throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + debugPort + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    /** Every replica serves {@code expected} for the tag within {@link #AT_ONCE} of {@code since}. */
    private void awaitDigest(List<BerthProcess> replicas, String repo, String tag, String expected, long since) throws Exception {
        for (BerthProcess replica : replicas) {
            String served;
            int stale = -1;
            do {
                served = manifestDigest(replica, repo, tag);
                stale++;
            } while (!served.equals(expected) && System.nanoTime() - since < AT_ONCE.toNanos());
            long took = Duration.ofNanos(System.nanoTime() - since).toMillis();
            // the time includes the GET itself (a storage read of the new tag on S3Proxy)
            System.out.printf("redis-it: %s:%s served new by replica %d after %d stale answers, %d ms after the move%n", repo, tag,
                    replica.port(), stale, took);
            assertEquals(expected, served, "replica " + replica.port() + " still served the old digest after " + took + " ms");
        }
    }

    private static void awaitRedisState(BerthProcess replica, String state) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        String body = "";
        while (System.nanoTime() < deadline) {
            HttpResponse<String> ready = client.send(HttpRequest.newBuilder(URI.create(replica.url("/q/health/ready"))).build(),
                    HttpResponse.BodyHandlers.ofString());
            body = ready.body();
            // readiness stays UP (200) whatever Redis does: the replica serves from storage
            assertEquals(200, ready.statusCode(), body);
            if (body.replace(" ", "").contains("\"state\":\"" + state)) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("redis never " + state + " on " + replica.port() + ": " + body);
    }

    private interface Check {
        boolean holds() throws Exception;
    }

    /** Descriptors are written to Redis after the answer. */
    private static void awaitRedis(Check check) throws Exception {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!check.holds()) {
            assertTrue(System.nanoTime() < deadline, "redis never held the descriptor");
            Thread.sleep(20);
        }
    }

    private String pushImage(BerthProcess replica, String repo, String tag, String seed) throws Exception {
        HttpResponse<String> r = putManifest(replica, repo, tag, manifest(repo, seed));
        assertEquals(201, r.statusCode(), r.body());
        return r.headers().firstValue("Docker-Content-Digest").orElseThrow();
    }

    /** An image manifest whose config and layer are pushed through A. */
    private String manifest(String repo, String seed) throws Exception {
        byte[] config = ("{\"seed\":\"" + seed + "\"}").getBytes(StandardCharsets.UTF_8);
        byte[] layer = ("layer " + seed).getBytes(StandardCharsets.UTF_8);
        pushBlob(a, repo, config);
        pushBlob(a, repo, layer);
        return OciLayout.oneLayerManifest(config, layer, "application/vnd.oci.image.layer.v1.tar");
    }

    private HttpResponse<String> putManifest(BerthProcess replica, String repo, String reference, String manifest) throws Exception {
        return MirrorIT.putManifest(replica.hostPort(), repo, reference, manifest);
    }

    private String pushBlob(BerthProcess replica, String repo, byte[] content) throws Exception {
        return MirrorIT.pushBlob(replica.hostPort(), repo, content);
    }

    private HttpResponse<String> getManifest(BerthProcess replica, String repo, String reference) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(replica.url("/v2/" + repo + "/manifests/" + reference)))
                .header("Accept", OCI_MANIFEST).timeout(PATIENCE).build(), HttpResponse.BodyHandlers.ofString());
    }

    private String manifestDigest(BerthProcess replica, String repo, String reference) throws Exception {
        HttpResponse<String> r = getManifest(replica, repo, reference);
        assertEquals(200, r.statusCode(), r.body());
        return r.headers().firstValue("Docker-Content-Digest").orElseThrow();
    }

    private HttpResponse<String> headBlob(BerthProcess replica, String repo, String digest) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(replica.url("/v2/" + repo + "/blobs/" + digest)))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).timeout(PATIENCE).build(), HttpResponse.BodyHandlers.ofString());
    }
}
