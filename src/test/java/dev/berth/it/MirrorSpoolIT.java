package dev.berth.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.berth.storage.s3.S3Clients;
import dev.berth.storage.s3.S3ProxyResource;
import dev.berth.storage.s3.S3Settings;
import dev.berth.testsupport.Poll;
import dev.berth.testsupport.S3Requests;
import dev.berth.testsupport.TcpRelay;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A mirror on S3 (S3Proxy) whose storage is slow: a relay in front of S3Proxy throttles what Berth
 * sends it. A cold pull is served from the upstream read and the spool, before storage has the blob;
 * storage takes it afterwards. So is a cold manifest, answered from memory while it is stored. A storage failure after the client was served links nothing and the
 * next pull fetches again, and so does a spool file changed while storage reads it; an upstream cut
 * mid-blob is seen by the client and stores nothing. The spool directory is empty after every case.
 */
class MirrorSpoolIT {
    /** Per S3 connection: a 16 MiB blob in 5 MiB parts takes storage several seconds. */
    private static final long SLOW_STORAGE = 1024 * 1024;
    private static final String ROOT = "mirror/docker/registry/v2/";
    @TempDir
    static Path work;
    static S3ProxyResource s3;
    static String endpoint;
    static TcpRelay storage;
    static ReferenceRegistry upstream;
    static TcpRelay upstreamRelay;
    static BerthProcess mirror;
    static Path spool;
    static S3Clients bucket;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        s3 = new S3ProxyResource();
        endpoint = s3.start().get("storage.s3.regionendpoint");
        storage = TcpRelay.readingHttp(URI.create(endpoint).getPort());
        bucket = S3Clients.create(S3Settings.parse(Map.of("region", "us-east-1", "regionendpoint", endpoint, "forcepathstyle", "true",
                "bucket", S3ProxyResource.BUCKET, "accesskey", S3ProxyResource.ACCESS_KEY, "secretkey", S3ProxyResource.SECRET_KEY), "it"), List.of());
        Path up = Files.createDirectories(work.resolve("upstream"));
        upstream = ReferenceRegistry.start(up, "storage:\n  filesystem:\n    rootdirectory: " + up.resolve("data") + "\n");
        upstreamRelay = TcpRelay.recordingRequests(Integer.parseInt(upstream.hostPort().split(":")[1]));
        spool = Files.createDirectories(work.resolve("spool"));
        config = "version: 0.1\nlog:\n  level: info\nstorage:\n  s3:\n    region: us-east-1\n    regionendpoint: http://127.0.0.1:" + storage.port()
                + "\n    forcepathstyle: true\n    bucket: " + S3ProxyResource.BUCKET + "\n    accesskey: " + S3ProxyResource.ACCESS_KEY
                + "\n    secretkey: " + S3ProxyResource.SECRET_KEY + "\n    rootdirectory: /mirror\n    chunksize: 5242880\n"
                + "proxy:\n  remoteurl: http://127.0.0.1:" + upstreamRelay.port() + "\n  spooldirectory: " + spool + "\n";
        mirror = BerthProcess.start(Files.createDirectories(work.resolve("mirror")), config, List.of(), Map.of());
    }

    static String config;

    @AfterAll
    static void stop() throws Exception {
        if (mirror != null) {
            String log = mirror.log();
            mirror.close();
            Files.writeString(Path.of("target/mirror-spool-it-berth.log"), log);
        }
        for (AutoCloseable c : new AutoCloseable[] {upstreamRelay, upstream, storage, bucket}) {
            if (c != null) {
                c.close();
            }
        }
        if (s3 != null) {
            s3.stop();
        }
    }

    @AfterEach
    void spoolIsEmpty() throws Exception {
        storage.requestRate(0);
        storage.latency(0);
        awaitTrue(() -> spoolFiles() == 0, "spool directory empty");
    }

    @Test
    void aColdPullEndsBeforeSlowStorageHasTheBlobWhichIsLinkedAfter() throws Exception {
        String digest = pulledWhileStorageIsSlow("lib/slow", 21);
        assertFalse(linked("lib/slow", digest), "the client was served before storage had the blob");

        awaitTrue(() -> linked("lib/slow", digest), "linked once storage took it");
        // the upload is removed just after the link is written
        awaitTrue(() -> keys(ROOT + "repositories/lib/slow/").stream().noneMatch(k -> k.contains("/_uploads/")), "no upload left");
        HttpResponse<Void> stored = http.send(HttpRequest.newBuilder(URI.create(mirror.url("/v2/lib/slow/blobs/" + digest))).build(),
                HttpResponse.BodyHandlers.discarding());
        assertEquals(307, stored.statusCode(), "served from storage now");
        assertEquals(1, upstreamRelay.count("GET /v2/lib/slow/blobs/" + digest), "one upstream fetch");
    }

    @Test
    void aFetchedBlobGoesStraightIntoItsPlaceWithoutAnUploadOrACopy() throws Exception {
        byte[] blob = MirrorIT.random(16 * 1024 * 1024, 29);
        String digest = MirrorIT.pushBlob(upstream.hostPort(), "lib/placed", blob);
        assertEquals(digest, MirrorIT.sha256(mirror.url("/v2/lib/placed/blobs/" + digest)), "byte-identical, from upstream");
        awaitTrue(() -> linked("lib/placed", digest), "linked once storage took it");

        String content = blobData(digest);
        // a tail object beside the data (a resumable upload's) would show too: the writer removes none, as it stored none
        List<String> seen = blobRequests("lib/placed", digest);
        String part = "UploadPart " + content;
        // the repository's link and the blob looked for, then one multipart upload of four 5 MiB parts into its place, then the link
        String link = "/repositories/lib/placed/_layers/sha256/" + digest.substring(7) + "/link";
        assertEquals(Set.of("GetObject " + link, "HeadObject " + content), Set.copyOf(seen.subList(0, 2)), "looked up: " + seen);
        assertEquals(List.of("CreateMultipartUpload " + content, part, part, part, part, "CompleteMultipartUpload " + content,
                "PutObject " + link), seen.subList(2, seen.size()));
        assertTrue(keys(ROOT + "repositories/lib/placed/").stream().noneMatch(k -> k.contains("/_uploads/")), "no upload folder");
        assertEquals(blob.length, bucket.client().headObject(b -> b.bucket(S3ProxyResource.BUCKET).key(ROOT + content.substring(1))).join()
                .contentLength(), "stored whole");
    }

    @Test
    void aSmallBlobIsServedFromMemoryWithoutASpoolFileAndStoredInOnePut() throws Exception {
        byte[] blob = MirrorIT.random(64 * 1024, 30);
        String digest = MirrorIT.pushBlob(upstream.hostPort(), "lib/small", blob);
        // each storage request a second late: the client is served after the lookups, and storage has the blob and its
        // link two seconds later, long enough to see how the fill holds it meanwhile
        storage.requests().clear();
        storage.latency(1000);
        assertEquals(digest, MirrorIT.sha256(mirror.url("/v2/lib/small/blobs/" + digest)), "byte-identical, from upstream");
        assertFalse(linked("lib/small", digest), "served before storage had it");
        assertEquals(0, spoolFiles(), "no spool file while storage takes it");
        storage.latency(0);
        awaitTrue(() -> linked("lib/small", digest), "linked once storage took it");
        String data = blobData(digest);
        assertEquals(blob.length, bucket.client().headObject(b -> b.bucket(S3ProxyResource.BUCKET).key(ROOT + data.substring(1))).join()
                .contentLength());
        // the link and the content looked for at once, then one PutObject into its place (no multipart upload opened and
        // aborted), then the link
        String link = "/repositories/lib/small/_layers/sha256/" + digest.substring(7) + "/link";
        List<String> seen = blobRequests("lib/small", digest);
        assertEquals(Set.of("GetObject " + link, "HeadObject " + data), Set.copyOf(seen.subList(0, 2)), "looked up: " + seen);
        assertEquals(List.of("PutObject " + data, "PutObject " + link), seen.subList(2, seen.size()));
        List<Long> arrived = storage.requests().all().stream().filter(r -> r.operation().equals("GetObject") && r.target().endsWith(link)
                || r.operation().equals("HeadObject") && r.target().endsWith(data)).map(S3Requests.Request::arrived).toList();
        assertEquals(2, arrived.size(), "one lookup of each");
        // one round trip: the second lookup went out before the first one's answer, held back a second by the relay
        long apart = Math.abs(arrived.get(1) - arrived.get(0)) / 1_000_000;
        assertTrue(apart < 500, "the content looked for " + apart + " ms after the link, not with it");
    }

    @Test
    void wrongBytesFromUpstreamAreNeverStoredAndNoClientGetsThemWhole() throws Exception {
        byte[] small = MirrorIT.random(64 * 1024, 31);
        byte[] large = MirrorIT.random(16 * 1024 * 1024, 32);
        String smallDigest = MirrorIT.pushBlob(upstream.hostPort(), "lib/wrong", small);
        String largeDigest = MirrorIT.pushBlob(upstream.hostPort(), "lib/wrong", large);
        // counted per connection: pooled ones that relayed earlier answers would flip elsewhere
        upstreamRelay.resetConnections();
        upstreamRelay.flipAnswerByte(32 * 1024);
        try {
            HttpResponse<String> refused = http.send(HttpRequest.newBuilder(URI.create(mirror.url("/v2/lib/wrong/blobs/" + smallDigest))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(503, refused.statusCode(), "a small blob is checked before it is sent: an error, not a transfer");
            assertTrue(refused.body().contains("\"UNAVAILABLE\""), refused.body());
            upstreamRelay.resetConnections();
            assertTrue(MirrorIT.pullFails(mirror.url("/v2/lib/wrong/blobs/" + largeDigest)), "a large one's transfer is cut before its last bytes");
        } finally {
            upstreamRelay.flipAnswerByte(Long.MAX_VALUE);
        }
        for (String digest : List.of(smallDigest, largeDigest)) {
            awaitTrue(() -> log().contains("fetching " + digest + " for lib/wrong failed"), "the fill failed");
            assertFalse(linked("lib/wrong", digest), "nothing linked");
            assertTrue(keys(ROOT + "blobs/").stream().noneMatch(k -> k.contains(digest.substring(7))), "nothing stored");
        }
        upstreamRelay.resetConnections();
        assertEquals(smallDigest, MirrorIT.sha256(mirror.url("/v2/lib/wrong/blobs/" + smallDigest)), "the next pull fetches it again");
        assertEquals(largeDigest, MirrorIT.sha256(mirror.url("/v2/lib/wrong/blobs/" + largeDigest)), "the next pull fetches it again");
        awaitTrue(() -> linked("lib/wrong", smallDigest) && linked("lib/wrong", largeDigest), "linked by the second fills");
    }

    @Test
    void storageLostAfterTheClientWasServedLinksNothingAndTheNextPullRefills() throws Exception {
        byte[] blob = MirrorIT.random(16 * 1024 * 1024, 22);
        String digest = MirrorIT.pushBlob(upstream.hostPort(), "lib/lost", blob);
        storage.requestRate(SLOW_STORAGE / 2);

        int parts = storage.requests().count("UploadPart");
        assertEquals(digest, MirrorIT.sha256(mirror.url("/v2/lib/lost/blobs/" + digest)), "the client has its bytes");
        // lost while the parts go up
        awaitTrue(() -> storage.requests().count("UploadPart") > parts, "storage started writing");
        storage.cut();
        awaitTrue(() -> log().contains("storing " + digest + " for lib/lost failed"), "the store failed");
        storage.requestRate(0);
        storage.restore();
        assertFalse(linked("lib/lost", digest), "nothing linked");
        assertTrue(keys(ROOT + "blobs/").stream().noneMatch(k -> k.contains(digest.substring(7))), "nothing stored");

        assertEquals(digest, MirrorIT.sha256(mirror.url("/v2/lib/lost/blobs/" + digest)), "the next pull fetches it again");
        assertEquals(2, upstreamRelay.count("GET /v2/lib/lost/blobs/" + digest));
        awaitTrue(() -> linked("lib/lost", digest), "linked by the second fill");
    }

    @Test
    void aSpoolFileChangedWhileStorageReadsItLinksNothingAndTheNextPullRefills() throws Exception {
        // storage takes the spool's bytes as read back, without hashing them again: the spool's check is all that stands here
        String digest = pulledWhileStorageIsSlow("lib/changed", 28);
        Path file;
        try (var files = Files.list(spool)) {
            file = files.findFirst().orElseThrow();
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer last = ByteBuffer.allocate(1);
            channel.read(last, channel.size() - 1);
            channel.write(ByteBuffer.wrap(new byte[] {(byte) ~last.get(0)}), channel.size() - 1);
        }
        storage.requestRate(0);

        awaitTrue(() -> log().contains("storing " + digest + " for lib/changed failed"), "the store failed");
        assertTrue(log().contains("changed after it was written"), "and said why");
        assertFalse(linked("lib/changed", digest), "nothing linked");
        assertTrue(keys(ROOT + "blobs/").stream().noneMatch(k -> k.contains(digest.substring(7))), "nothing stored");
        assertEquals(digest, MirrorIT.sha256(mirror.url("/v2/lib/changed/blobs/" + digest)), "the next pull fetches it again");
        assertEquals(2, upstreamRelay.count("GET /v2/lib/changed/blobs/" + digest));
        awaitTrue(() -> linked("lib/changed", digest), "linked by the second fill");
    }

    @Test
    void aMirrorKilledWhileStoringLeavesASpoolFileThatTheNextStartRemovesAndLinksNothing() throws Exception {
        String digest = pulledWhileStorageIsSlow("lib/killed", 27);
        assertEquals(1, spoolFiles(), "storage is still reading the spool");

        mirror.kill();
        storage.requestRate(0);
        List<Path> left;
        try (var files = Files.list(spool)) {
            left = files.toList();
        }
        assertEquals(1, left.size(), "SIGKILL removes nothing");
        // as found by a restart after a while: a file younger than a minute may be a live process's, not yet locked
        Files.setLastModifiedTime(left.get(0), FileTime.from(Instant.now().minus(Duration.ofMinutes(5))));
        mirror = BerthProcess.start(Files.createDirectories(work.resolve("mirror")), config, List.of(), Map.of());

        assertFalse(Files.exists(left.get(0)), "removed at start");
        assertTrue(log().contains("removed 1 spool files left by a stopped process"), "and said so");
        assertFalse(linked("lib/killed", digest), "nothing linked");
        assertTrue(keys(ROOT + "blobs/").stream().noneMatch(k -> k.contains(digest.substring(7))), "nothing stored: its multipart upload is not an object");
        assertEquals(digest, MirrorIT.sha256(mirror.url("/v2/lib/killed/blobs/" + digest)), "the next pull fetches it again");
        assertEquals(2, upstreamRelay.count("GET /v2/lib/killed/blobs/" + digest));
        awaitTrue(() -> linked("lib/killed", digest), "linked by the second fill");
    }

    @Test
    void concurrentColdPullsReadTheOneFillsSpoolBeforeStorageHasTheBlob() throws Exception {
        byte[] blob = MirrorIT.random(16 * 1024 * 1024, 24);
        String digest = MirrorIT.pushBlob(upstream.hostPort(), "lib/many", blob);
        storage.requestRate(SLOW_STORAGE);
        upstreamRelay.answerRate(8 * 1024 * 1024);
        try {
            for (String pulled : staggered(6, 100, () -> MirrorIT.sha256(mirror.url("/v2/lib/many/blobs/" + digest)))) {
                assertEquals(digest, pulled, "byte-identical");
            }
        } finally {
            upstreamRelay.answerRate(0);
        }
        assertFalse(linked("lib/many", digest), "every client was served from the fill, none waited for storage");
        assertEquals(1, upstreamRelay.count("GET /v2/lib/many/blobs/" + digest), "one upstream fetch");
        awaitTrue(() -> linked("lib/many", digest), "linked once storage took it");
    }

    @Test
    void aClientReadingTheFillThatGoesAwayMidBodyHoldsNothingUp() throws Exception {
        byte[] blob = MirrorIT.random(16 * 1024 * 1024, 26);
        String digest = MirrorIT.pushBlob(upstream.hostPort(), "lib/gone", blob);
        upstreamRelay.answerRate(4 * 1024 * 1024);
        ExecutorService leader = Executors.newSingleThreadExecutor();
        try {
            Future<String> led = leader.submit(() -> MirrorIT.sha256(mirror.url("/v2/lib/gone/blobs/" + digest)));
            Thread.sleep(300);
            URI base = URI.create(mirror.url("/"));
            try (Socket socket = new Socket(base.getHost(), base.getPort())) {
                // a short answer on a kept-alive connection would otherwise hold the read until the idle timeout
                socket.setSoTimeout(30_000);
                socket.getOutputStream().write(("GET /v2/lib/gone/blobs/" + digest + " HTTP/1.1\r\nHost: mirror\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                byte[] part = socket.getInputStream().readNBytes(1024 * 1024);
                assertTrue(new String(part, 0, 12, StandardCharsets.US_ASCII).startsWith("HTTP/1.1 200"), "the fill's bytes, then gone");
            }
            assertEquals(digest, led.get(60, TimeUnit.SECONDS), "the leading client is served whole");
        } finally {
            upstreamRelay.answerRate(0);
            leader.shutdownNow();
        }
        awaitTrue(() -> linked("lib/gone", digest), "linked");
        assertEquals(1, upstreamRelay.count("GET /v2/lib/gone/blobs/" + digest), "one upstream fetch");
        // and the spool is removed (after each test)
    }

    @Test
    void upstreamLostMidBlobFailsEveryClientReadingTheFillAndStoresNothing() throws Exception {
        byte[] blob = MirrorIT.random(16 * 1024 * 1024, 25);
        String digest = MirrorIT.pushBlob(upstream.hostPort(), "lib/cutmany", blob);
        // the cut counts per connection: pooled ones that relayed earlier blobs would be cut at once
        upstreamRelay.resetConnections();
        Thread.sleep(200);
        upstreamRelay.answerRate(4 * 1024 * 1024);
        upstreamRelay.cutAfter(8 * 1024 * 1024);
        try {
            for (boolean failed : staggered(3, 300, () -> MirrorIT.pullFails(mirror.url("/v2/lib/cutmany/blobs/" + digest)))) {
                assertTrue(failed, "each client sees the failure");
            }
        } finally {
            upstreamRelay.cutAfter(Long.MAX_VALUE);
            upstreamRelay.answerRate(0);
        }
        assertEquals(1, upstreamRelay.count("GET /v2/lib/cutmany/blobs/" + digest), "the clients shared one fetch");
        awaitTrue(() -> spoolFiles() == 0, "spool deleted");
        assertFalse(linked("lib/cutmany", digest), "nothing linked");

        assertEquals(digest, MirrorIT.sha256(mirror.url("/v2/lib/cutmany/blobs/" + digest)), "the next pull fetches it again");
        awaitTrue(() -> linked("lib/cutmany", digest), "linked by the second fill");
    }

    @Test
    void upstreamLostMidBlobFailsTheClientAndStoresNothing() throws Exception {
        byte[] blob = MirrorIT.random(16 * 1024 * 1024, 23);
        String digest = MirrorIT.pushBlob(upstream.hostPort(), "lib/cut", blob);
        upstreamRelay.cutAfter(4 * 1024 * 1024);
        try {
            assertTrue(MirrorIT.pullFails(mirror.url("/v2/lib/cut/blobs/" + digest)), "the client sees the failure");
        } finally {
            upstreamRelay.cutAfter(Long.MAX_VALUE);
        }
        awaitTrue(() -> spoolFiles() == 0, "spool deleted");
        assertFalse(linked("lib/cut", digest), "nothing linked");
        assertTrue(keys(ROOT + "repositories/lib/cut/").stream().noneMatch(k -> k.contains("/_uploads/")), "no upload");

        assertEquals(digest, MirrorIT.sha256(mirror.url("/v2/lib/cut/blobs/" + digest)), "the next pull fetches it again");
        awaitTrue(() -> linked("lib/cut", digest), "linked by the second fill");
    }

    @Test
    void aColdManifestByTagIsServedBeforeItIsStoredInSixStorageRequests() throws Exception {
        String manifest = pushedUpstream("lib/manifest", "{}", 27);
        String digest = OciLayout.sha256(manifest.getBytes(StandardCharsets.UTF_8));

        storage.requests().clear();
        // each storage request a second late: the client is served after the one lookup, storage has it three seconds later
        storage.latency(1000);
        HttpResponse<String> pulled = getManifest("lib/manifest", "v1");
        assertEquals(200, pulled.statusCode(), pulled.body());
        assertEquals(manifest, pulled.body());
        assertEquals(digest, pulled.headers().firstValue("Docker-Content-Digest").orElse(""));
        String repo = "/repositories/lib/manifest/_manifests/";
        assertTrue(keys(ROOT + repo.substring(1)).isEmpty(), "served before storage had it");
        // a client that asks by digest next (docker does) is answered from the manifest being stored, not upstream again
        HttpResponse<String> meanwhile = getManifest("lib/manifest", digest);
        assertEquals(200, meanwhile.statusCode(), meanwhile.body());
        assertEquals(manifest, meanwhile.body());
        assertEquals(1, upstreamRelay.count("GET /v2/lib/manifest/manifests/"), "one upstream GET");
        storage.latency(0);

        String content = blobData(digest);
        awaitTrue(() -> blobRequests("lib/manifest", digest).size() >= 6, "stored");
        List<String> requests = blobRequests("lib/manifest", digest);
        assertEquals(6, requests.size(), "requests: " + requests);
        // in a row: the revision looked for, the content written without a look first, the revision link
        assertEquals(List.of("GetObject " + repo + "revisions/" + digest.replace(':', '/') + "/link", "PutObject " + content,
                "PutObject " + repo + "revisions/" + digest.replace(':', '/') + "/link"), requests.subList(0, 3));
        // then, beside each other: the content again (a collection may have moved it aside) and the tag's links
        assertEquals(Set.of("HeadObject " + content, "PutObject " + repo + "tags/v1/current/link",
                "PutObject " + repo + "tags/v1/index/" + digest.replace(':', '/') + "/link"), Set.copyOf(requests.subList(3, 6)));

        HttpResponse<String> byDigest = getManifest("lib/manifest", digest);
        assertEquals(200, byDigest.statusCode());
        assertEquals(manifest, byDigest.body(), "stored");
        assertEquals(1, upstreamRelay.count("GET /v2/lib/manifest/manifests/"), "not fetched again");
    }

    @Test
    void aManifestWhoseStoreFailsAfterItWasServedIsFetchedAgainByTheNextPull() throws Exception {
        String manifest = pushedUpstream("lib/unstored", "{\"lost\":true}", 33);
        String digest = OciLayout.sha256(manifest.getBytes(StandardCharsets.UTF_8));

        storage.latency(1000);
        HttpResponse<String> pulled = getManifest("lib/unstored", "v1");
        assertEquals(200, pulled.statusCode(), pulled.body());
        assertEquals(manifest, pulled.body());
        // lost while the content goes up
        storage.cut();
        awaitTrue(() -> log().contains("storing the manifest " + digest + " of lib/unstored failed"), "the store failed");
        storage.latency(0);
        storage.restore();
        assertTrue(keys(ROOT + "repositories/lib/unstored/").isEmpty(), "nothing linked");

        HttpResponse<String> again = getManifest("lib/unstored", "v1");
        assertEquals(200, again.statusCode(), again.body());
        assertEquals(manifest, again.body());
        assertEquals(2, upstreamRelay.count("GET /v2/lib/unstored/manifests/"), "fetched again");
        awaitTrue(() -> keys(ROOT + "repositories/lib/unstored/").contains(ROOT + "repositories/lib/unstored/_manifests/tags/v1/current/link"),
                "stored by the second pull");
    }

    @Test
    void aTagNamingAManifestStillBeingStoredIsWrittenOnlyAfterIt() throws Exception {
        String manifest = pushedUpstream("lib/ordered", "{\"ordered\":true}", 34);
        String digest = OciLayout.sha256(manifest.getBytes(StandardCharsets.UTF_8));
        // each storage request a second late: by digest first, stored behind the response for some three seconds
        storage.latency(1000);
        HttpResponse<String> byDigest = getManifest("lib/ordered", digest);
        assertEquals(200, byDigest.statusCode(), byDigest.body());
        // then by tag, while that store is under way: upstream's HEAD names it, so it is served as held and only tagged
        HttpResponse<String> byTag = getManifest("lib/ordered", "v1");
        assertEquals(200, byTag.statusCode(), byTag.body());
        assertEquals(manifest, byTag.body());
        assertEquals(1, upstreamRelay.count("GET /v2/lib/ordered/manifests/"), "one upstream GET, by digest");
        storage.latency(0);

        String repo = "/repositories/lib/ordered/_manifests/";
        awaitTrue(() -> keys(ROOT + repo.substring(1)).contains(ROOT + repo.substring(1) + "tags/v1/current/link"), "tagged");
        List<String> requests = blobRequests("lib/ordered", digest);
        int revision = requests.indexOf("PutObject " + repo + "revisions/" + digest.replace(':', '/') + "/link");
        int tag = requests.indexOf("PutObject " + repo + "tags/v1/current/link");
        assertTrue(revision >= 0 && revision < tag, "the tag written after the revision it names: " + requests);
    }

    /** An image of {@code config} and a 1 KiB layer pushed upstream as {@code repository:v1}; its manifest. */
    private static String pushedUpstream(String repository, String config, long seed) throws Exception {
        byte[] configBytes = config.getBytes(StandardCharsets.UTF_8);
        byte[] layer = MirrorIT.random(1024, seed);
        MirrorIT.pushBlob(upstream.hostPort(), repository, configBytes);
        MirrorIT.pushBlob(upstream.hostPort(), repository, layer);
        String manifest = OciLayout.oneLayerManifest(configBytes, layer, "application/vnd.oci.image.layer.v1.tar");
        HttpResponse<String> pushed = MirrorIT.putManifest(upstream.hostPort(), repository, "v1", manifest);
        assertEquals(201, pushed.statusCode(), pushed.body());
        return manifest;
    }

    private static HttpResponse<String> getManifest(String repository, String reference) throws Exception {
        return MirrorIT.getManifest(mirror.url("/v2/" + repository + "/manifests/" + reference));
    }

    /** {@code n} runs of {@code pull} at once, each started {@code gapMillis} after the one before; their results in order. */
    private static <T> List<T> staggered(int n, long gapMillis, Callable<T> pull) throws Exception {
        ExecutorService pulls = Executors.newFixedThreadPool(n);
        try {
            List<Future<T>> started = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                started.add(pulls.submit(pull));
                Thread.sleep(gapMillis);
            }
            List<T> results = new ArrayList<>();
            for (Future<T> f : started) {
                results.add(f.get(60, TimeUnit.SECONDS));
            }
            return results;
        } finally {
            pulls.shutdownNow();
        }
    }

    /** The blob's content path below the registry's root, as {@link #blobRequests} names it. */
    private static String blobData(String digest) {
        return "/blobs/sha256/" + digest.substring(7, 9) + "/" + digest.substring(7) + "/data";
    }

    /**
     * The storage requests for this repository and this blob's content, in order, as "Operation path" without queries
     * or the root: another test's store may still be running beside it.
     */
    private static List<String> blobRequests(String repository, String digest) {
        String data = blobData(digest);
        return storage.requests().all().stream()
                .filter(r -> r.target().contains("/repositories/" + repository + "/") || r.target().replaceFirst("\\?.*", "").contains(data))
                .map(r -> r.operation() + " " + r.target().replaceFirst("\\?.*", "").replaceFirst("^/[^/]+/mirror/docker/registry/v2", ""))
                .toList();
    }

    private static boolean linked(String repository, String digest) {
        return keys(ROOT + "repositories/" + repository + "/_layers/").contains(
                ROOT + "repositories/" + repository + "/_layers/sha256/" + digest.substring(7) + "/link");
    }

    /** Keys in the bucket under {@code prefix}, read from S3Proxy itself (not through the relay). */
    private static List<String> keys(String prefix) {
        return bucket.client().listObjectsV2(ListObjectsV2Request.builder().bucket(S3ProxyResource.BUCKET).prefix(prefix).build()).join()
                .contents().stream().map(S3Object::key).toList();
    }

    private static long spoolFiles() {
        try (Stream<Path> files = Files.list(spool)) {
            return files.count();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A random 16 MiB blob pushed upstream, then pulled cold through the mirror with storage slowed: byte-identical. */
    private static String pulledWhileStorageIsSlow(String repository, long seed) throws Exception {
        String digest = MirrorIT.pushBlob(upstream.hostPort(), repository, MirrorIT.random(16 * 1024 * 1024, seed));
        storage.requestRate(SLOW_STORAGE);
        assertEquals(digest, MirrorIT.sha256(mirror.url("/v2/" + repository + "/blobs/" + digest)), "byte-identical, from upstream");
        return digest;
    }

    private static String log() {
        try {
            return mirror.log();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void awaitTrue(BooleanSupplier condition, String what) {
        Poll.until(condition, Duration.ofSeconds(60), what);
    }
}
