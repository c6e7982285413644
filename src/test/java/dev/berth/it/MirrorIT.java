package dev.berth.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.berth.testsupport.TcpRelay;

/**
 * Berth as a pull-through cache of Distribution 2.8.2 (Debian's docker-registry), on the filesystem,
 * with a relay between them that counts upstream requests and can cut or drop the connection.
 */
class MirrorIT {
    static final String ACCEPT = "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, "
            + "application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json";
    @TempDir
    static Path work;
    static ReferenceRegistry upstream;
    static TcpRelay relay;
    static BerthProcess mirror;
    static OciLayout layout;
    static Path mirrorRoot;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        Path up = Files.createDirectories(work.resolve("upstream"));
        upstream = ReferenceRegistry.start(up, "storage:\n  filesystem:\n    rootdirectory: " + up.resolve("data") + "\n");
        relay = TcpRelay.recordingRequests(Integer.parseInt(upstream.hostPort().split(":")[1]));
        layout = OciLayout.write(work.resolve("layout"), 2, 256 * 1024);
        Skopeo.ok("copy", "--all", "--dest-tls-verify=false", "oci:" + layout.root + ":multi", "docker://" + upstream.hostPort() + "/library/app:multi");
        mirrorRoot = work.resolve("mirror-data");
        mirror = BerthProcess.start(Files.createDirectories(work.resolve("mirror")), "version: 0.1\nlog:\n  level: info\nstorage:\n  filesystem:\n"
                + "    rootdirectory: " + mirrorRoot + "\nproxy:\n  remoteurl: http://127.0.0.1:" + relay.port() + "\n  ttl: 3s\n", List.of(), Map.of());
    }

    @AfterAll
    static void stop() throws Exception {
        if (mirror != null) {
            String log = mirror.log();
            mirror.close();
            Files.writeString(Path.of("target/mirror-it-berth.log"), log);
            assertFalse(log.contains("request failed"), "no request failed with a 500:\n" + log);
        }
        if (relay != null) {
            relay.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    @Test
    void skopeoPullsAMultiArchImageThroughTheMirrorAndTheSecondPullStaysLocal() throws Exception {
        String ref = "docker://" + mirror.hostPort() + "/library/app:multi";
        Path pulled = work.resolve("pulled");
        Skopeo.ok("copy", "--all", "--src-tls-verify=false", ref, "oci:" + pulled + ":x");
        layout.assertSameBlobs(pulled);
        // blobs another repository already cached are only checked upstream (HEAD), not fetched again
        long blobFetches = relay.count("GET /v2/library/app/blobs/") + relay.count("HEAD /v2/library/app/blobs/");
        long manifestFetches = relay.count("GET /v2/library/app/manifests/");
        assertTrue(blobFetches >= 6, "config and layers of both images came from upstream: " + blobFetches);
        // the index was fetched by tag, its two images on demand, by digest
        assertEquals(2, relay.count("GET /v2/library/app/manifests/sha256:"));

        Skopeo.ok("copy", "--all", "--src-tls-verify=false", ref, "oci:" + work.resolve("again") + ":x");
        assertEquals(blobFetches, relay.count("GET /v2/library/app/blobs/") + relay.count("HEAD /v2/library/app/blobs/"),
                "blobs are served from the cache");
        assertEquals(manifestFetches, relay.count("GET /v2/library/app/manifests/"), "manifests are served from the cache");
        String catalog = plain("/v2/_catalog");
        assertTrue(catalog.contains("library/app"), catalog);
        String tags = plain("/v2/library/app/tags/list");
        assertTrue(tags.contains("multi"), tags);
    }

    @Test
    void pushesDeletesAndUploadStartsAre405() throws Exception {
        for (String method : List.of("POST /v2/library/app/blobs/uploads/", "PUT /v2/library/app/manifests/x", "DELETE /v2/library/app/manifests/x")) {
            String[] m = method.split(" ");
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(mirror.url(m[1]))).method(m[0], HttpRequest.BodyPublishers.noBody())
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(405, r.statusCode(), method);
            assertTrue(r.body().contains("UNSUPPORTED"), r.body());
        }
    }

    @Test
    void twentyConcurrentPullsOfAnUncachedBlobCostOneUpstreamFetch() throws Exception {
        byte[] blob = random(100 * 1024 * 1024, 11);
        String digest = pushBlob("library/big", blob);
        ExecutorService pool = Executors.newFixedThreadPool(20);
        try {
            List<Future<String>> pulls = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                pulls.add(pool.submit(() -> sha256(mirror.url("/v2/library/big/blobs/" + digest))));
            }
            for (Future<String> pull : pulls) {
                assertEquals(digest, pull.get());
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, relay.count("GET /v2/library/big/blobs/" + digest), "one upstream fetch");
    }

    @Test
    void upstreamLostMidBlobFailsTheClientLinksNothingAndTheNextPullRefills() throws Exception {
        byte[] blob = random(16 * 1024 * 1024, 12);
        String digest = pushBlob("library/cut", blob);
        relay.cutAfter(4 * 1024 * 1024);
        try {
            // a 503 when upstream failed before the answer started, else a broken transfer
            assertTrue(pullFails(mirror.url("/v2/library/cut/blobs/" + digest)), "the client sees the failure");
        } finally {
            relay.cutAfter(Long.MAX_VALUE);
        }
        String hex = digest.substring("sha256:".length());
        Path repo = mirrorRoot.resolve("docker/registry/v2/repositories/library/cut");
        for (int i = 0; i < 50 && Files.exists(repo.resolve("_uploads")) && Files.list(repo.resolve("_uploads")).findAny().isPresent(); i++) {
            Thread.sleep(100);
        }
        assertFalse(Files.exists(repo.resolve("_layers/sha256/" + hex + "/link")), "nothing linked");
        assertFalse(Files.exists(mirrorRoot.resolve("docker/registry/v2/blobs/sha256/" + hex.substring(0, 2) + "/" + hex)), "nothing stored");
        assertTrue(!Files.exists(repo.resolve("_uploads")) || Files.list(repo.resolve("_uploads")).findAny().isEmpty(), "upload removed");

        assertEquals(digest, sha256(mirror.url("/v2/library/cut/blobs/" + digest)));
        assertTrue(Files.exists(repo.resolve("_layers/sha256/" + hex + "/link")));
    }

    @Test
    void aTagMovedUpstreamIsSeenOnceItsTtlPassed() throws Exception {
        String upRef = "docker://" + upstream.hostPort() + "/library/moving:latest";
        Skopeo.ok("copy", "--all", "--dest-tls-verify=false", "oci:" + layout.root + ":multi", upRef);
        assertEquals(layout.indexDigest, manifestDigest("/v2/library/moving/manifests/latest"));
        Skopeo.ok("copy", "--dest-tls-verify=false", "oci:" + layout.root + ":single", upRef);
        assertEquals(layout.indexDigest, manifestDigest("/v2/library/moving/manifests/latest"), "fresh within the TTL");
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (!layout.singleDigest.equals(manifestDigest("/v2/library/moving/manifests/latest")) && System.nanoTime() < deadline) {
            Thread.sleep(500);
        }
        assertEquals(layout.singleDigest, manifestDigest("/v2/library/moving/manifests/latest"), "the moved tag, after the TTL");
        // expiry is scheduled through the storage, so it survives a restart
        assertTrue(Files.readString(mirrorRoot.resolve("berth/proxy-scheduler-state.json")).contains("library/moving"));
    }

    @Test
    void upstreamDownServesTheCachedCopyWithAWarning() throws Exception {
        Skopeo.ok("copy", "--dest-tls-verify=false", "oci:" + layout.root + ":single", "docker://" + upstream.hostPort() + "/library/stale:v1");
        Skopeo.ok("copy", "--src-tls-verify=false", "docker://" + mirror.hostPort() + "/library/stale:v1", "oci:" + work.resolve("stale") + ":x");
        // once the TTL passed, the tag's link is removed; the digest it named is remembered
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (plain("/v2/library/stale/tags/list").contains("v1") && System.nanoTime() < deadline) {
            Thread.sleep(250);
        }
        assertFalse(plain("/v2/library/stale/tags/list").contains("v1"), "the expired tag is no longer listed");
        relay.cut();
        try {
            HttpResponse<String> r = get("/v2/library/stale/manifests/v1");
            assertEquals(200, r.statusCode(), r.body());
            assertEquals(layout.singleDigest, r.headers().firstValue("Docker-Content-Digest").orElse(""));
            assertTrue(r.headers().firstValue("Warning").orElse("").startsWith("110 "), r.headers().map().toString());
            assertEquals(200, get("/v2/library/stale/manifests/" + layout.singleDigest).statusCode());
            assertEquals(503, get("/v2/library/stale/manifests/never-cached").statusCode());
        } finally {
            relay.restore();
        }
    }

    private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return getManifest(mirror.url(path));
    }

    /** A GET that accepts every manifest type this registry serves. */
    static HttpResponse<String> getManifest(String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("Accept", ACCEPT).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A JSON answer's body (catalog, tags list). */
    private static String plain(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(mirror.url(path))).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private static String manifestDigest(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = get(path);
        assertEquals(200, r.statusCode(), r.body());
        return r.headers().firstValue("Docker-Content-Digest").orElseThrow();
    }

    /** Monolithic upload straight to upstream; the digest. */
    static String pushBlob(String repository, byte[] blob) throws IOException, InterruptedException {
        return pushBlob(upstream.hostPort(), repository, blob);
    }

    /** Monolithic upload straight to the registry at {@code hostPort}; the digest. */
    static String pushBlob(String hostPort, String repository, byte[] blob) throws IOException, InterruptedException {
        String digest = OciLayout.sha256(blob);
        HttpResponse<Void> start = http.send(HttpRequest.newBuilder(URI.create("http://" + hostPort + "/v2/" + repository + "/blobs/uploads/"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        assertEquals(202, start.statusCode());
        URI location = URI.create("http://" + hostPort).resolve(start.headers().firstValue("Location").orElseThrow());
        String put = location + (location.getQuery() == null ? "?" : "&") + "digest=" + digest;
        HttpResponse<Void> done = http.send(HttpRequest.newBuilder(URI.create(put)).PUT(HttpRequest.BodyPublishers.ofByteArray(blob)).build(),
                HttpResponse.BodyHandlers.discarding());
        assertEquals(201, done.statusCode());
        return digest;
    }

    /** An OCI image manifest PUT to the registry at {@code hostPort}; its answer. */
    static HttpResponse<String> putManifest(String hostPort, String repository, String reference, String manifest)
            throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://" + hostPort + "/v2/" + repository + "/manifests/" + reference))
                .header("Content-Type", "application/vnd.oci.image.manifest.v1+json").PUT(HttpRequest.BodyPublishers.ofString(manifest)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** GETs {@code url} and hashes the body as it streams. */
    static String sha256(String url) throws Exception {
        HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (InputStream in = r.body()) {
            byte[] buffer = new byte[256 * 1024];
            for (int n; (n = in.read(buffer)) >= 0;) {
                md.update(buffer, 0, n);
            }
        }
        return "sha256:" + HexFormat.of().formatHex(md.digest());
    }

    /** An error status, or a transfer broken before its end. */
    static boolean pullFails(String url) throws Exception {
        try {
            HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = r.body()) {
                in.transferTo(OutputStream.nullOutputStream());
            }
            return r.statusCode() != 200;
        } catch (IOException e) {
            return true;
        }
    }

    static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < size; i += 8) {
            long v = random.nextLong();
            for (int b = 0; b < 8 && i + b < size; b++) {
                bytes[i + b] = (byte) (v >>> (8 * b));
            }
        }
        return bytes;
    }
}
