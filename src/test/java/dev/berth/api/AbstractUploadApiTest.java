package dev.berth.api;

import static dev.berth.api.RegistryClient.assertBlob;
import static dev.berth.api.RegistryClient.assertError;
import static dev.berth.api.RegistryClient.assertNoBlob;
import static dev.berth.api.RegistryClient.pushBlob;
import static dev.berth.api.RegistryClient.randomBytes;
import static dev.berth.api.RegistryClient.repo;
import static dev.berth.api.RegistryClient.request;
import static dev.berth.api.RegistryClient.sha256;
import static dev.berth.api.RegistryClient.sha512;
import static dev.berth.api.RegistryClient.startUpload;
import static dev.berth.api.RegistryClient.uriPath;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.berth.registry.Digest;
import dev.berth.registry.StoragePaths;
import dev.berth.storage.PathNotFoundException;
import dev.berth.storage.StorageDriver;
import io.restassured.response.Response;

/** {@code /v2/<name>/blobs/uploads/}: sessions, monolithic, mount, chunks, completion, state tokens. */
abstract class AbstractUploadApiTest {

    @Inject
    StorageDriver driver;

    private static String uuidOf(String location) {
        String path = URI.create(location).getRawPath();
        return path.substring(path.lastIndexOf('/') + 1);
    }

    private static String stateOf(String location) {
        String query = URI.create(location).getRawQuery();
        assertTrue(query != null && query.startsWith("_state="), () -> "upload Location without _state: " + location);
        return query.substring("_state=".length());
    }

    /** The blob content is not stored anywhere under its digest (not readable through any repository). */
    private void assertNotStored(String digest) {
        assertNoPath(StoragePaths.blobData(Digest.parse(digest)), digest + " is stored");
    }

    /** Nothing at {@code path} in storage, neither a file nor a directory. */
    private void assertNoPath(String path, String message) {
        Throwable failure = driver.stat(path).map(info -> (Throwable) null).onFailure().recoverWithItem(e -> e)
                .await().indefinitely();
        assertInstanceOf(PathNotFoundException.class, failure, message);
    }

    private static Response patch(String location, byte[] chunk, String contentRange) {
        var req = request().contentType("application/octet-stream").body(chunk);
        if (contentRange != null) {
            req.header("Content-Range", contentRange);
        }
        return req.patch(location);
    }

    @Test
    void postStartsASession() {
        String repo = repo("uploads");
        Response r = request().post("/v2/" + repo + "/blobs/uploads/");
        r.then().statusCode(202)
                .header("Range", "0-0")
                .header("Content-Length", "0")
                .header("Docker-Upload-UUID", matchesPattern("[0-9a-f-]{36}"))
                .header("Location", uriPath(equalTo("/v2/" + repo + "/blobs/uploads/" + r.header("Docker-Upload-UUID"))));
        stateOf(r.header("Location"));
        request().get(r.header("Location")).then().statusCode(204).header("Range", "0-0")
                .header("Docker-Upload-UUID", r.header("Docker-Upload-UUID"));
    }

    /** curl sends {@code Expect: 100-continue} with bodies over 1 MiB and waits a second for the 100 unless it comes. */
    @Test
    void expectContinueIsAnsweredOnceTheBodyIsWanted() throws Exception {
        String repo = repo("uploads");
        byte[] content = randomBytes(3000);
        String location = startUpload(repo);
        try (RawHttp http = RawHttp.connect(Duration.ofSeconds(15))) {
            http.send("PATCH", location, "Content-Type: application/octet-stream", "Content-Length: " + content.length,
                    "Expect: 100-continue");
            assertEquals(100, http.head().status(), "the registry asks for the body");
            RawHttp.Head done = http.write(content).head();
            assertEquals(202, done.status());
            assertEquals("0-" + (content.length - 1), done.header("Range"));
            location = done.header("Location");
        }
        String digest = sha256(content);
        request().queryParam("digest", digest).put(location).then().statusCode(201);
        assertBlob(repo, digest, content);
    }

    @Test
    void expectContinueOfARefusedRequestGetsTheAnswerInstead() throws Exception {
        String location = startUpload(repo("uploads"));
        try (RawHttp http = RawHttp.connect(Duration.ofSeconds(15))) {
            http.send("PATCH", location, "Content-Type: application/octet-stream", "Content-Range: 100-3099",
                    "Content-Length: 3000", "Expect: 100-continue");
            RawHttp.Head head = http.head();
            assertEquals(416, head.status(), "a chunk that does not continue the upload is refused before its body is sent");
            assertTrue(new String(http.body(head.contentLength()).bytes(), StandardCharsets.UTF_8).contains("RANGE_INVALID"));
        }
        request().get(location).then().statusCode(204).header("Range", "0-0");
    }

    @Test
    void monolithicPostWithDigestIs201() {
        String repo = repo("uploads");
        byte[] content = randomBytes(5000);
        String digest = sha256(content);
        request().contentType("application/octet-stream").body(content)
                .post("/v2/" + repo + "/blobs/uploads/?digest=" + digest)
                .then().statusCode(201)
                .header("Docker-Content-Digest", digest)
                .header("Location", uriPath(equalTo("/v2/" + repo + "/blobs/" + digest)));
        assertBlob(repo, digest, content);
    }

    @Test
    void monolithicPostWithWrongDigestIs400AndStoresNothing() {
        String repo = repo("uploads");
        byte[] content = randomBytes(100);
        String claimed = sha256(randomBytes(100));
        assertError(request().contentType("application/octet-stream").body(content)
                .post("/v2/" + repo + "/blobs/uploads/?digest=" + claimed), 400, "DIGEST_INVALID");
        assertNoBlob(repo, claimed);
        assertNoBlob(repo, sha256(content));
        assertNotStored(claimed);
        assertNotStored(sha256(content));
    }

    @Test
    void mountFromARepositoryThatHasTheBlobIs201() {
        String source = repo("uploads");
        String target = repo("uploads");
        byte[] content = randomBytes(2048);
        String digest = pushBlob(source, content);
        request().post("/v2/" + target + "/blobs/uploads/?mount=" + digest + "&from=" + source)
                .then().statusCode(201)
                .header("Docker-Content-Digest", digest)
                .header("Location", uriPath(equalTo("/v2/" + target + "/blobs/" + digest)))
                .header("Docker-Upload-UUID", nullValue());
        assertBlob(target, digest, content);
    }

    @ParameterizedTest(name = "from={0}")
    @ValueSource(strings = { "elsewhere/empty", "Invalid/Name", "..", "" })
    void mountFallsBackToASessionWhenTheSourceCannotGiveTheBlob(String from) {
        String source = "elsewhere/empty".equals(from) ? repo("uploads") : from;
        String target = repo("uploads");
        String owner = repo("uploads");
        byte[] content = randomBytes(64);
        String digest = pushBlob(owner, content); // stored, but not in `source`
        if (source.equals(from)) {
            // nothing to do: an invalid or empty source name
        } else {
            pushBlob(source, randomBytes(8));
        }
        Response r = request().post("/v2/" + target + "/blobs/uploads/?mount=" + digest + "&from=" + source);
        r.then().statusCode(202)
                .header("Docker-Upload-UUID", notNullValue())
                .header("Range", "0-0")
                .header("Location", uriPath(equalTo("/v2/" + target + "/blobs/uploads/" + r.header("Docker-Upload-UUID"))));
        assertNoBlob(target, digest);
        // the session works
        request().contentType("application/octet-stream").body(content).put(r.header("Location") + "&digest=" + digest)
                .then().statusCode(201);
        assertBlob(target, digest, content);
    }

    @Test
    void chunkedUploadWithContentRange() {
        String repo = repo("uploads");
        byte[] content = randomBytes(3 * 70_000 + 11);
        String digest = sha256(content);
        String location = startUpload(repo);
        String uuid = uuidOf(location);
        int offset = 0;
        for (int size : new int[] { 70_000, 70_000, 70_011 }) {
            byte[] chunk = Arrays.copyOfRange(content, offset, offset + size);
            Response r = patch(location, chunk, offset + "-" + (offset + size - 1));
            offset += size;
            r.then().statusCode(202)
                    .header("Range", "0-" + (offset - 1))
                    .header("Docker-Upload-UUID", uuid)
                    .header("Location", uriPath(equalTo("/v2/" + repo + "/blobs/uploads/" + uuid)));
            assertNotEquals(location, r.header("Location"), "the state moves on with the offset");
            location = r.header("Location");
            request().get(location).then().statusCode(204).header("Range", "0-" + (offset - 1));
        }
        request().put(location + "&digest=" + digest).then().statusCode(201)
                .header("Docker-Content-Digest", digest)
                .header("Location", uriPath(equalTo("/v2/" + repo + "/blobs/" + digest)));
        assertBlob(repo, digest, content);
        assertError(request().get(location), 404, "BLOB_UPLOAD_UNKNOWN");
    }

    @Test
    void outOfOrderChunkIs416WithLocationAndRange() {
        String repo = repo("uploads");
        byte[] content = randomBytes(200);
        String location = startUpload(repo);
        Response first = patch(location, Arrays.copyOfRange(content, 0, 100), "0-99");
        first.then().statusCode(202);
        location = first.header("Location");
        Response skip = patch(location, Arrays.copyOfRange(content, 150, 200), "150-199");
        assertError(skip, 416, "RANGE_INVALID");
        skip.then().header("Range", "0-99")
                .header("Docker-Upload-UUID", uuidOf(location))
                .header("Location", uriPath(equalTo("/v2/" + repo + "/blobs/uploads/" + uuidOf(location))));
        Response overlap = patch(location, Arrays.copyOfRange(content, 50, 150), "50-149");
        assertError(overlap, 416, "RANGE_INVALID");
        overlap.then().header("Range", "0-99").header("Location", notNullValue());
        // the upload is intact: continue with the Location of the 416
        Response rest = patch(skip.header("Location"), Arrays.copyOfRange(content, 100, 200), "100-199");
        rest.then().statusCode(202).header("Range", "0-199");
        request().put(rest.header("Location") + "&digest=" + sha256(content)).then().statusCode(201);
        assertBlob(repo, sha256(content), content);
    }

    @Test
    void streamedPatchWithoutContentRangeThenPutWithFinalChunk() {
        String repo = repo("uploads");
        byte[] content = randomBytes(300_000);
        String digest = sha256(content);
        String location = startUpload(repo);
        // an InputStream body goes out with Transfer-Encoding: chunked, no Content-Length
        Response r = request().contentType("application/octet-stream")
                .body(new ByteArrayInputStream(Arrays.copyOfRange(content, 0, 250_000))).patch(location);
        r.then().statusCode(202).header("Range", "0-249999");
        request().contentType("application/octet-stream").body(Arrays.copyOfRange(content, 250_000, content.length))
                .put(r.header("Location") + "&digest=" + digest)
                .then().statusCode(201)
                .header("Docker-Content-Digest", digest)
                .header("Location", uriPath(equalTo("/v2/" + repo + "/blobs/" + digest)));
        assertBlob(repo, digest, content);
    }

    @Test
    void putWithTheWholeBodyAndNoPatch() {
        String repo = repo("uploads");
        byte[] content = randomBytes(12345);
        String digest = pushBlob(repo, content);
        assertBlob(repo, digest, content);
    }

    @Test
    void wrongDigestOnPutIs400AndNothingIsReadableAndTheUploadIsGone() {
        String repo = repo("uploads");
        byte[] content = randomBytes(777);
        String actual = sha256(content);
        String claimed = sha256(randomBytes(777));
        String location = startUpload(repo);
        Response r = patch(location, content, null);
        r.then().statusCode(202);
        assertError(request().put(r.header("Location") + "&digest=" + claimed), 400, "DIGEST_INVALID");
        assertNoBlob(repo, claimed);
        assertNoBlob(repo, actual);
        assertNotStored(claimed);
        assertNotStored(actual);
        assertError(request().get(r.header("Location")), 404, "BLOB_UPLOAD_UNKNOWN");
        assertError(request().put(r.header("Location") + "&digest=" + actual), 404, "BLOB_UPLOAD_UNKNOWN");
        // and a mount from this repository finds nothing either
        request().post("/v2/" + repo("uploads") + "/blobs/uploads/?mount=" + actual + "&from=" + repo).then().statusCode(202);
    }

    @Test
    void wrongDigestWithAFinalChunkIs400() {
        String repo = repo("uploads");
        byte[] content = randomBytes(99);
        String location = startUpload(repo);
        String claimed = sha256(randomBytes(99));
        assertError(request().contentType("application/octet-stream").body(content).put(location + "&digest=" + claimed),
                400, "DIGEST_INVALID");
        assertNotStored(claimed);
        assertNotStored(sha256(content));
        assertError(request().get(location), 404, "BLOB_UPLOAD_UNKNOWN");
    }

    @Test
    void statusIs204WithRange() {
        String repo = repo("uploads");
        String location = startUpload(repo);
        Response r = patch(location, randomBytes(42), "0-41");
        Response status = request().get(r.header("Location"));
        status.then().statusCode(204)
                .header("Range", "0-41")
                .header("Docker-Upload-UUID", uuidOf(location))
                .header("Location", uriPath(equalTo("/v2/" + repo + "/blobs/uploads/" + uuidOf(location))));
        assertEquals(0, status.asByteArray().length);
        // without _state the status is still answered
        request().get("/v2/" + repo + "/blobs/uploads/" + uuidOf(location)).then().statusCode(204).header("Range", "0-41");
    }

    @Test
    void aCompletedUploadLeavesNothingBehind() throws InterruptedException {
        String repo = repo("uploads");
        byte[] content = randomBytes(3000);
        String location = startUpload(repo);
        Response r = patch(location, content, null);
        request().queryParam("digest", sha256(content)).put(r.header("Location")).then().statusCode(201);
        assertBlob(repo, sha256(content), content);
        // removed after the answer, the upload's data with it (on S3 the blob is a copy of it)
        String upload = StoragePaths.upload(repo, uuidOf(location));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline && driver.stat(upload).map(info -> true).onFailure().recoverWithItem(false).await().indefinitely()) {
            Thread.sleep(50);
        }
        assertNoPath(upload, "the completed upload's directory is left");
    }

    @Test
    void deleteCancelsTheUpload() {
        String repo = repo("uploads");
        String location = startUpload(repo);
        Response r = patch(location, randomBytes(10), null);
        request().delete(r.header("Location")).then().statusCode(204);
        assertError(request().get(r.header("Location")), 404, "BLOB_UPLOAD_UNKNOWN");
        assertError(patch(r.header("Location"), randomBytes(10), null), 404, "BLOB_UPLOAD_UNKNOWN");
        assertError(request().queryParam("digest", sha256(randomBytes(10))).put(r.header("Location")), 404, "BLOB_UPLOAD_UNKNOWN");
        assertError(request().delete(r.header("Location")), 404, "BLOB_UPLOAD_UNKNOWN");
        // the late PATCH and PUT took the upload's lock before they found it gone: nothing of it is left
        assertNoPath(StoragePaths.upload(repo, uuidOf(location)), "the cancelled upload's directory is left");
    }

    @Test
    void unknownUploadIs404() {
        String repo = repo("uploads");
        startUpload(repo);
        String unknown = "/v2/" + repo + "/blobs/uploads/" + UUID.randomUUID();
        assertError(request().get(unknown), 404, "BLOB_UPLOAD_UNKNOWN");
        assertError(request().delete(unknown), 404, "BLOB_UPLOAD_UNKNOWN");
    }

    /** Ways to tamper with a {@code _state} token or the URL it belongs to. */
    enum Tamper {
        /** A byte of the JSON changed (the offset 0 becomes 1); the MAC no longer matches. */
        OFFSET, NAME, UUID, MAC_BYTE, TRUNCATED, GARBAGE, OTHER_REPOSITORY_URL, OTHER_UPLOAD_URL
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(Tamper.class)
    void tamperedStateIs400BlobUploadInvalid(Tamper tamper) {
        String repo = repo("uploads");
        String location = startUpload(repo);
        String path = URI.create(location).getRawPath();
        String state = stateOf(location);
        byte[] raw = Base64.getUrlDecoder().decode(state);
        String json = new String(raw, 32, raw.length - 32, StandardCharsets.UTF_8);
        String url = switch (tamper) {
            case OFFSET -> path + "?_state=" + reseal(raw, json.replace("\"Offset\":0", "\"Offset\":1"));
            case NAME -> path + "?_state=" + reseal(raw, json.replace(repo, repo.substring(0, repo.length() - 1) + "x"));
            case UUID -> path + "?_state=" + reseal(raw, json.replace(uuidOf(location), UUID.randomUUID().toString()));
            case MAC_BYTE -> {
                raw[3] ^= 1;
                yield path + "?_state=" + Base64.getUrlEncoder().encodeToString(raw);
            }
            case TRUNCATED -> path + "?_state=" + state.substring(0, 20);
            case GARBAGE -> path + "?_state=not!base64";
            case OTHER_REPOSITORY_URL -> {
                String other = repo("uploads");
                startUpload(other);
                yield "/v2/" + other + "/blobs/uploads/" + uuidOf(location) + "?_state=" + state;
            }
            case OTHER_UPLOAD_URL -> "/v2/" + repo + "/blobs/uploads/" + uuidOf(startUpload(repo)) + "?_state=" + state;
        };
        assertNotEquals(location, url);
        assertError(patch(url, randomBytes(10), null), 400, "BLOB_UPLOAD_INVALID");
        assertError(request().put(url + "&digest=" + sha256(new byte[0])), 400, "BLOB_UPLOAD_INVALID");
        // the genuine URL still works
        patch(location, randomBytes(10), null).then().statusCode(202).header("Range", "0-9");
    }

    /** The original MAC with changed JSON, as an attacker without the secret would have to send. */
    private static String reseal(byte[] raw, String json) {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        assertNotEquals(new String(raw, 32, raw.length - 32, StandardCharsets.UTF_8), json, "tampering changed nothing");
        byte[] out = Arrays.copyOf(raw, 32 + body.length);
        System.arraycopy(body, 0, out, 32, body.length);
        return Base64.getUrlEncoder().encodeToString(out);
    }

    @Test
    void patchAndPutWithoutStateAre400() {
        String repo = repo("uploads");
        String path = URI.create(startUpload(repo)).getRawPath();
        assertError(patch(path, randomBytes(10), null), 400, "BLOB_UPLOAD_INVALID");
        assertError(request().put(path + "?digest=" + sha256(new byte[0])), 400, "BLOB_UPLOAD_INVALID");
    }

    @Test
    void staleStateIs416() {
        String repo = repo("uploads");
        String location = startUpload(repo);
        Response first = patch(location, randomBytes(10), null);
        first.then().statusCode(202);
        Response stale = patch(location, randomBytes(10), null); // the POST's state says offset 0
        assertError(stale, 416, "RANGE_INVALID");
        stale.then().header("Range", "0-9").header("Location", notNullValue());
        assertError(request().put(location + "&digest=" + sha256(new byte[10])), 416, "RANGE_INVALID");
        request().get(first.header("Location")).then().statusCode(204).header("Range", "0-9");
    }

    @Test
    void sha512DigestIsAcceptedForAPut() {
        String repo = repo("uploads");
        byte[] content = randomBytes(4000);
        String digest = sha512(content);
        String location = startUpload(repo);
        Response r = patch(location, Arrays.copyOfRange(content, 0, 1000), "0-999");
        request().contentType("application/octet-stream").body(Arrays.copyOfRange(content, 1000, 4000))
                .put(r.header("Location") + "&digest=" + digest)
                .then().statusCode(201)
                .header("Docker-Content-Digest", digest)
                .header("Location", uriPath(equalTo("/v2/" + repo + "/blobs/" + digest)));
        assertBlob(repo, digest, content);
        assertNoBlob(repo, sha256(content));
    }

    @ParameterizedTest(name = "digest={0}")
    @ValueSource(strings = { "md5:d41d8cd98f00b204e9800998ecf8427e", "sha256:abc", "sha256:xyz",
            "sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
            "sha512:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "e3b0c442", "sha256" })
    void unsupportedOrMalformedDigestIs400DigestInvalid(String digest) {
        String repo = repo("uploads");
        String location = startUpload(repo);
        assertError(request().put(location + "&digest=" + digest), 400, "DIGEST_INVALID");
        assertError(request().body(new byte[0]).post("/v2/" + repo + "/blobs/uploads/?digest=" + digest), 400, "DIGEST_INVALID");
        // the session is untouched
        request().get(location).then().statusCode(204);
    }

    @Test
    void putWithoutDigestIs400DigestInvalid() {
        String location = startUpload(repo("uploads"));
        assertError(request().put(location), 400, "DIGEST_INVALID");
    }
}
