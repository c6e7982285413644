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

import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.restassured.response.Response;

/** {@code /v2/<name>/blobs/<digest>}: GET, HEAD, ranges, conditional GET, DELETE. */
abstract class AbstractBlobApiTest {

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
    @ValueSource(strings = { "bytes=1000-", "bytes=5000-6000", "bytes=-0" })
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
}
