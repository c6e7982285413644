package dev.berth.api;

import static dev.berth.api.RegistryClient.assertBlob;
import static dev.berth.api.RegistryClient.assertError;
import static dev.berth.api.RegistryClient.assertNoBlob;
import static dev.berth.api.RegistryClient.pushBlob;
import static dev.berth.api.RegistryClient.randomBytes;
import static dev.berth.api.RegistryClient.repo;
import static dev.berth.api.RegistryClient.request;
import static dev.berth.api.RegistryClient.sha256;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.logging.Level;
import java.util.stream.Stream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import dev.berth.api.RawHttp.Body;
import dev.berth.api.RawHttp.End;
import dev.berth.api.RawHttp.Head;
import dev.berth.registry.Digest;
import dev.berth.registry.StoragePaths;
import dev.berth.storage.StorageDriver;
import dev.berth.testsupport.LogCapture;
import io.restassured.response.Response;

/** {@code /v2/<name>/blobs/<digest>}: GET, HEAD, ranges, conditional GET, DELETE. */
abstract class AbstractBlobApiTest {
    /** Longer than any answer takes here: a read that waits this long means the server hangs. */
    static final Duration STALL = Duration.ofSeconds(10);

    @Inject
    StorageDriver driver;

    @Test
    void getReturnsExactBytesAndHeaders() {
        String repo = repo("blobs");
        byte[] content = randomBytes(100_000);
        String digest = pushBlob(repo, content);
        Response r = request().get("/v2/" + repo + "/blobs/" + digest);
        r.then().statusCode(200)
                .header("Content-Length", String.valueOf(content.length))
                .header("Docker-Content-Digest", digest)
                .header("ETag", "\"" + digest + "\"")
                .header("Accept-Ranges", "bytes")
                .header("Content-Type", "application/octet-stream")
                .header(RegistryClient.API_VERSION, "registry/2.0");
        assertArrayEquals(content, r.asByteArray());
    }

    @Test
    void emptyBlobIsServed() {
        String repo = repo("blobs");
        String digest = pushBlob(repo, new byte[0]);
        assertEquals("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", digest);
        assertBlob(repo, digest, new byte[0]);
    }

    @Test
    void headHasTheHeadersAndNoBody() {
        String repo = repo("blobs");
        byte[] content = randomBytes(4321);
        String digest = pushBlob(repo, content);
        Response r = request().head("/v2/" + repo + "/blobs/" + digest);
        r.then().statusCode(200)
                .header("Content-Length", "4321")
                .header("Docker-Content-Digest", digest)
                .header("ETag", "\"" + digest + "\"")
                .header("Accept-Ranges", "bytes");
        assertEquals(0, r.asByteArray().length);
    }

    @ParameterizedTest(name = "Range: {0}")
    @CsvSource({
            "bytes=0-9, 0, 9",
            "bytes=100-199, 100, 199",
            "bytes=990-, 990, 999",
            "bytes=-25, 975, 999",
            "bytes=995-5000, 995, 999",
            "bytes=0-999, 0, 999",
    })
    void rangeGivesPartialContent(String range, int first, int last) {
        String repo = repo("blobs");
        byte[] content = randomBytes(1000);
        String digest = pushBlob(repo, content);
        Response r = request().header("Range", range).get("/v2/" + repo + "/blobs/" + digest);
        r.then().statusCode(206)
                .header("Content-Range", "bytes " + first + "-" + last + "/1000")
                .header("Content-Length", String.valueOf(last - first + 1))
                .header("Docker-Content-Digest", digest);
        assertArrayEquals(Arrays.copyOfRange(content, first, last + 1), r.asByteArray());
    }

    @ParameterizedTest(name = "Range: {0}")
    @ValueSource(strings = { "bytes=1000-", "bytes=5000-6000", "bytes=-0", "bytes=500-0", "bytes=999-998" })
    void unsatisfiableRangeIs416(String range) {
        String repo = repo("blobs");
        String digest = pushBlob(repo, randomBytes(1000));
        Response r = request().header("Range", range).get("/v2/" + repo + "/blobs/" + digest);
        assertError(r, 416, "RANGE_INVALID");
        assertEquals("bytes */1000", r.header("Content-Range"));
    }

    @Test
    void ifNoneMatchWithTheDigestIs304() {
        String repo = repo("blobs");
        String digest = pushBlob(repo, randomBytes(64));
        Response r = request().header("If-None-Match", "\"" + digest + "\"").get("/v2/" + repo + "/blobs/" + digest);
        r.then().statusCode(304).header("ETag", "\"" + digest + "\"").header("Docker-Content-Digest", digest);
        assertEquals(0, r.asByteArray().length);
        request().header("If-None-Match", "\"sha256:" + "0".repeat(64) + "\"").get("/v2/" + repo + "/blobs/" + digest)
                .then().statusCode(200);
    }

    @Test
    void unknownBlobIs404BlobUnknown() {
        String repo = repo("blobs");
        pushBlob(repo, randomBytes(10));
        String unknown = sha256(randomBytes(10));
        assertError(request().get("/v2/" + repo + "/blobs/" + unknown), 404, "BLOB_UNKNOWN");
        request().head("/v2/" + repo + "/blobs/" + unknown).then().statusCode(404)
                .header(RegistryClient.API_VERSION, "registry/2.0");
        // a repository that does not exist at all
        assertError(request().get("/v2/" + repo("nothing") + "/blobs/" + unknown), 404, "BLOB_UNKNOWN");
    }

    /**
     * A HEAD for a blob the registry does not have is what every push starts with: an expected miss,
     * not a warning in the log. And misses are not remembered: a blob pushed right after is there.
     */
    @Test
    void missesAreNotLoggedAsWarningsNorCached() {
        List<String> logged;
        try (LogCapture capture = LogCapture.atLeast("", Level.WARNING)) {
            String repo = repo("blobs");
            pushBlob(repo, randomBytes(10));
            for (int i = 0; i < 3; i++) {
                byte[] content = randomBytes(200);
                String digest = sha256(content);
                request().head("/v2/" + repo + "/blobs/" + digest).then().statusCode(404);
                request().head("/v2/" + repo + "/blobs/" + digest).then().statusCode(404);
                assertNoBlob(repo, digest);
                assertError(request().get("/v2/" + repo + "/manifests/" + digest), 404, "MANIFEST_UNKNOWN");
                pushBlob(repo, content);
                request().head("/v2/" + repo + "/blobs/" + digest).then().statusCode(200)
                        .header("Content-Length", "200");
            }
            assertError(request().get("/v2/" + repo("nothing") + "/blobs/" + sha256(randomBytes(4))), 404, "BLOB_UNKNOWN");
            logged = underTest(capture.lines());
        }
        assertEquals(List.of(), logged, "warnings logged for expected misses");
    }

    @Test
    void blobStoredButNotLinkedInThisRepositoryIs404() {
        String owner = repo("blobs");
        String other = repo("blobs");
        byte[] content = randomBytes(256);
        String digest = pushBlob(owner, content);
        pushBlob(other, randomBytes(8)); // the other repository exists
        assertNoBlob(other, digest);
        request().head("/v2/" + other + "/blobs/" + digest).then().statusCode(404);
        assertBlob(owner, digest, content);
    }

    @Test
    void deleteIs202ThenTheBlobIsGoneFromThatRepositoryOnly() {
        String repo = repo("blobs");
        String other = repo("blobs");
        byte[] content = randomBytes(300);
        String digest = pushBlob(repo, content);
        pushBlob(other, content);
        assertBlob(repo, digest, content); // also warms any descriptor cache
        request().delete("/v2/" + repo + "/blobs/" + digest).then().statusCode(202)
                .header("Docker-Content-Digest", equalTo(digest));
        assertNoBlob(repo, digest);
        request().head("/v2/" + repo + "/blobs/" + digest).then().statusCode(404);
        assertError(request().delete("/v2/" + repo + "/blobs/" + digest), 404, "BLOB_UNKNOWN");
        assertBlob(other, digest, content);
    }

    @ParameterizedTest(name = "digest {0}")
    @ValueSource(strings = { "md5:d41d8cd98f00b204e9800998ecf8427e", "sha256:abc", "sha256:ZZZ",
            "sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855", "notadigest" })
    void malformedDigestInPathIs400DigestInvalid(String digest) {
        String repo = repo("blobs");
        pushBlob(repo, randomBytes(8));
        assertError(request().get("/v2/" + repo + "/blobs/" + digest), 400, "DIGEST_INVALID");
        assertError(request().delete("/v2/" + repo + "/blobs/" + digest), 400, "DIGEST_INVALID");
    }

    @Test
    void dataRemovedBehindTheCacheIs404AndTheDescriptorIsDropped() throws IOException {
        String repo = repo("blobs");
        byte[] content = randomBytes(200_000);
        String digest = pushBlob(repo, content);
        assertBlob(repo, digest, content); // the descriptor (link + size) is now cached
        deleteDataInStorage(digest); // e.g. by another replica's garbage collection

        // a cache hit no longer promises bytes: the read is opened before the status goes out
        for (String range : new String[] { "Range: bytes=100-199", null }) {
            try (RawHttp http = RawHttp.connect(STALL)) {
                Head head = range == null ? http.send("GET", "/v2/" + repo + "/blobs/" + digest).head()
                        : http.send("GET", "/v2/" + repo + "/blobs/" + digest, range).head();
                assertEquals(404, head.status(), () -> "status of a GET whose data is gone, " + head.headers());
                Body body = http.body(head.contentLength());
                assertEquals(End.COMPLETE, body.end(), "the error body is sent whole");
                String json = new String(body.bytes());
                assertTrue(json.contains("\"BLOB_UNKNOWN\""), json);
                assertEquals(null, head.header("Content-Range"), "no Content-Range on the error");
                assertEquals(null, head.header("Cache-Control"), "the blob's year of caching is not on the error");
                assertEquals(null, head.header("ETag"), "no ETag on the error");
            }
        }
        // the stale descriptor is gone: HEAD asks storage again
        request().head("/v2/" + repo + "/blobs/" + digest).then().statusCode(404);
        assertNoBlob(repo, digest);
    }

    @Test
    void abandonedDownloadsReleaseTheirResources() throws Exception {
        String repo = repo("blobs");
        byte[] content = randomBytes(abandonedBlobSize());
        String digest = pushBlob(repo, content);
        assertBlob(repo, digest, content); // warm: caches, pooled connections, lazily opened files
        cutOffDownloads(repo, digest, 3);
        long before = awaitOpenFiles(Long.MAX_VALUE);

        List<String> logged;
        try (LogCapture capture = LogCapture.atLeast("", Level.WARNING)) {
            cutOffDownloads(repo, digest, 50);
            awaitOpenFiles(before + descriptorSlack());
            logged = underTest(capture.lines());
        }
        // a client hanging up is no fault of the registry's: neither Berth nor Vert.x warns of it
        assertEquals(List.of(), logged, "abandoned downloads logged as problems");

        long after = awaitOpenFiles(before + descriptorSlack());
        System.out.printf("%s: open file descriptors before 50 abandoned downloads %d, after %d%n", getClass().getSimpleName(), before, after);
        assertTrue(after <= before + descriptorSlack(), "open file descriptors: " + before + " before 50 abandoned downloads, " + after + " after");
        assertBlob(repo, digest, content);
    }

    /**
     * Log lines but S3Proxy's (the S3 profile's stand-in storage) and Vert.x's blocked-thread warnings (a loaded
     * machine's pauses): neither is under test.
     */
    private static List<String> underTest(List<String> lines) {
        return lines.stream()
                .filter(l -> !l.matches("\\S+ \\[(org\\.gaul|org\\.jclouds|org\\.eclipse\\.jetty|io\\.vertx\\.core\\.impl\\.BlockedThreadChecker).*"))
                .toList();
    }

    /** Bytes of the blob whose downloads are abandoned. */
    int abandonedBlobSize() {
        return 4 * 1024 * 1024;
    }

    /** Descriptors the app may open or close on its own meanwhile (pooled connections, lazily opened files). */
    int descriptorSlack() {
        return 5;
    }

    /** {@code count} GETs that read the headers and a few KiB of the body, then close the socket. */
    static void cutOffDownloads(String repo, String digest, int count) throws IOException {
        for (int i = 0; i < count; i++) {
            try (RawHttp http = RawHttp.connect(STALL)) {
                Head head = http.send("GET", "/v2/" + repo + "/blobs/" + digest).head();
                assertEquals(200, head.status());
                assertEquals(4096, http.body(4096).bytes().length);
            }
        }
    }

    /** Entries of /proc/self/fd (the app runs in this JVM), polled until at most {@code target} or 5 s passed. */
    static long awaitOpenFiles(long target) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        long count = openFiles();
        while (count > target && System.nanoTime() < deadline) {
            Thread.sleep(100);
            count = openFiles();
        }
        if (target == Long.MAX_VALUE) {
            // settle: closes of the warm-up requests may still be in flight
            Thread.sleep(500);
            count = openFiles();
        }
        return count;
    }

    static long openFiles() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    /** Deletes a blob's data directly in storage, behind the registry's back (its caches keep the descriptor). */
    void deleteDataInStorage(String digest) throws IOException {
        String path = StoragePaths.blobData(Digest.parse(digest));
        if (DriverUnderTest.localRoot().isPresent()) {
            Files.delete(DriverUnderTest.localRoot().get().resolve(path.substring(1)));
        } else {
            driver.delete(path).await().indefinitely();
        }
    }
}
