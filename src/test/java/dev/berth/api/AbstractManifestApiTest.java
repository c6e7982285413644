package dev.berth.api;

import static dev.berth.api.RegistryClient.DOCKER_CONFIG;
import static dev.berth.api.RegistryClient.DOCKER_LAYER;
import static dev.berth.api.RegistryClient.DOCKER_LIST;
import static dev.berth.api.RegistryClient.DOCKER_MANIFEST;
import static dev.berth.api.RegistryClient.OCI_CONFIG;
import static dev.berth.api.RegistryClient.OCI_INDEX;
import static dev.berth.api.RegistryClient.OCI_LAYER;
import static dev.berth.api.RegistryClient.OCI_MANIFEST;
import static dev.berth.api.RegistryClient.assertError;
import static dev.berth.api.RegistryClient.bytes;
import static dev.berth.api.RegistryClient.imageManifest;
import static dev.berth.api.RegistryClient.index;
import static dev.berth.api.RegistryClient.parse;
import static dev.berth.api.RegistryClient.push;
import static dev.berth.api.RegistryClient.pushBlob;
import static dev.berth.api.RegistryClient.pushImage;
import static dev.berth.api.RegistryClient.pushManifest;
import static dev.berth.api.RegistryClient.putManifest;
import static dev.berth.api.RegistryClient.randomBytes;
import static dev.berth.api.RegistryClient.repo;
import static dev.berth.api.RegistryClient.request;
import static dev.berth.api.RegistryClient.sha256;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.berth.api.RegistryClient.Descriptor;
import dev.berth.api.RegistryClient.Pushed;
import io.restassured.RestAssured;
import io.restassured.response.Response;

/** {@code /v2/<name>/manifests/<reference>}: the four manifest types, validation, negotiation, delete. */
abstract class AbstractManifestApiTest {

    private static void assertServed(String repo, String reference, Pushed pushed) {
        Response get = request().accept(pushed.mediaType()).get("/v2/" + repo + "/manifests/" + reference);
        get.then().statusCode(200)
                .header("Content-Type", pushed.mediaType())
                .header("Docker-Content-Digest", pushed.digest())
                .header("ETag", "\"" + pushed.digest() + "\"")
                .header("Content-Length", String.valueOf(pushed.content().length));
        assertArrayEquals(pushed.content(), get.asByteArray(), "manifest bytes");

        Response head = request().accept(pushed.mediaType()).head("/v2/" + repo + "/manifests/" + reference);
        head.then().statusCode(200)
                .header("Content-Type", pushed.mediaType())
                .header("Docker-Content-Digest", pushed.digest())
                .header("ETag", "\"" + pushed.digest() + "\"")
                .header("Content-Length", String.valueOf(pushed.content().length));
        assertEquals(0, head.asByteArray().length);
    }

    private static void assertNoManifest(String repo, String reference) {
        assertError(request().get("/v2/" + repo + "/manifests/" + reference), 404, "MANIFEST_UNKNOWN");
        request().head("/v2/" + repo + "/manifests/" + reference).then().statusCode(404);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_LIST })
    void putGetHeadDeleteByTagAndDigest(String mediaType) {
        String repo = repo("manifests");
        Pushed pushed = push(repo, "v1", mediaType);
        assertEquals(sha256(pushed.content()), pushed.digest());
        assertServed(repo, "v1", pushed);
        assertServed(repo, pushed.digest(), pushed);

        // the same bytes by digest: same digest, served by a second tag too
        pushManifest(repo, pushed.digest(), mediaType, pushed.content());
        pushManifest(repo, "v2", mediaType, pushed.content());
        assertServed(repo, "v2", pushed);

        request().delete("/v2/" + repo + "/manifests/" + pushed.digest()).then().statusCode(202);
        assertNoManifest(repo, pushed.digest());
        assertNoManifest(repo, "v1");
        assertNoManifest(repo, "v2");
        assertError(request().delete("/v2/" + repo + "/manifests/" + pushed.digest()), 404, "MANIFEST_UNKNOWN");
    }

    @Test
    void putByDigestOnly() {
        String repo = repo("manifests");
        Pushed image = pushImage(repo, "tmp", OCI_MANIFEST);
        String other = repo("manifests");
        // the blobs are needed in `other` too
        request().post("/v2/" + other + "/blobs/uploads/?mount=" + parse(image.content()).path("config").path("digest").asText()
                + "&from=" + repo).then().statusCode(201);
        request().post("/v2/" + other + "/blobs/uploads/?mount=" + parse(image.content()).path("layers").get(0).path("digest").asText()
                + "&from=" + repo).then().statusCode(201);
        Pushed byDigest = pushManifest(other, image.digest(), OCI_MANIFEST, image.content());
        assertServed(other, image.digest(), byDigest);
        // no tag was ever written there: Distribution answers NAME_UNKNOWN for the tags list
        assertError(request().get("/v2/" + other + "/tags/list"), 404, "NAME_UNKNOWN");
    }

    @Test
    void ifNoneMatchIs304() {
        String repo = repo("manifests");
        Pushed pushed = pushImage(repo, "v1", OCI_MANIFEST);
        Response r = request().header("If-None-Match", "\"" + pushed.digest() + "\"").get("/v2/" + repo + "/manifests/v1");
        r.then().statusCode(304).header("ETag", "\"" + pushed.digest() + "\"").header("Docker-Content-Digest", pushed.digest());
        assertEquals(0, r.asByteArray().length);
        request().header("If-None-Match", "\"sha256:" + "1".repeat(64) + "\"").get("/v2/" + repo + "/manifests/v1")
                .then().statusCode(200);
    }

    @Test
    void manifestOver4MiBIs413SizeInvalid() {
        String repo = repo("manifests");
        byte[] body = new byte[4 * 1024 * 1024 + 1];
        Arrays.fill(body, (byte) ' ');
        body[0] = '{';
        body[body.length - 1] = '}';
        assertError(putManifest(repo, "big", OCI_MANIFEST, body), 413, "SIZE_INVALID");
        assertNoManifest(repo, "big");
    }

    /**
     * A body past the limit is answered 413 and the connection closed, so a client cannot make the
     * registry read (and throw away) gigabytes: with a declared length, and chunked without one.
     */
    @ParameterizedTest(name = "chunked {0}")
    @ValueSource(booleans = { false, true })
    void oversizedManifestIsCutOffAfterTheAnswer(boolean chunked) throws Exception {
        String repo = repo("manifests");
        // far more than the limit, what the registry reads on before closing, and socket buffers; far less than declared
        long sendAtMost = 64L * 1024 * 1024;
        String spaces = " ".repeat(64 * 1024);
        byte[] piece = (chunked ? Integer.toHexString(spaces.length()) + "\r\n" + spaces + "\r\n" : spaces).getBytes(StandardCharsets.US_ASCII);
        long sent = 0;
        try (RawHttp http = RawHttp.connect(Duration.ofSeconds(15))) {
            http.send("PUT", "/v2/" + repo + "/manifests/big", "Content-Type: " + OCI_MANIFEST,
                    chunked ? "Transfer-Encoding: chunked" : "Content-Length: " + (2L << 30));
            // the answer is read while the body goes out; a connection left open stalls the read (the socket timeout)
            CompletableFuture<Answer> answer = CompletableFuture.supplyAsync(() -> {
                try {
                    RawHttp.Head head = http.head();
                    return new Answer(head, http.body(head.contentLength()).bytes(), http.untilClosed().end());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            try {
                while (sent < sendAtMost && !answer.isDone() && System.nanoTime() < deadline) {
                    http.write(piece);
                    sent += spaces.length();
                }
            } catch (IOException closed) {
                // the registry closed the connection: the point of this test
            }
            Answer a = answer.get(30, TimeUnit.SECONDS);
            RegistryClient.assertError(a.head(), a.body(), 413, "SIZE_INVALID");
            assertEquals("close", a.head().header("Connection"));
            assertEquals(RawHttp.End.CLOSED, a.after(), "the registry closed the connection after the answer");
        }
        long bytesSent = sent;
        assertTrue(bytesSent < sendAtMost, () -> "the registry kept reading: " + bytesSent + " bytes sent");
        assertNoManifest(repo, "big");
    }

    private record Answer(RawHttp.Head head, byte[] body, RawHttp.End after) {
    }

    @Test
    void manifestOfJustUnder4MiBIsAccepted() {
        String repo = repo("manifests");
        byte[] config = "{}".getBytes();
        pushBlob(repo, config);
        ObjectNode m = imageManifest(OCI_MANIFEST, Descriptor.of(OCI_CONFIG, config), List.of());
        int overhead = bytes(m).length + "\"annotations\":{\"pad\":\"\"},".length();
        m.putObject("annotations").put("pad", "x".repeat(4 * 1024 * 1024 - overhead));
        byte[] body = bytes(m);
        assertEquals(4 * 1024 * 1024, body.length);
        Pushed pushed = pushManifest(repo, "big", OCI_MANIFEST, body);
        assertServed(repo, "big", pushed);
    }

    @ParameterizedTest(name = "missing {0}")
    @ValueSource(strings = { "config", "layer", "layer-of-another-repository" })
    void manifestWithABlobNotInTheRepositoryIs400ManifestBlobUnknown(String missing) {
        String repo = repo("manifests");
        byte[] config = "{\"os\":\"linux\"}".getBytes();
        byte[] layer = randomBytes(100);
        if (!missing.equals("config")) {
            pushBlob(repo, config);
        }
        if (missing.equals("config")) {
            pushBlob(repo, layer);
        }
        if (missing.equals("layer-of-another-repository")) {
            pushBlob(repo("manifests"), layer);
        }
        byte[] body = bytes(imageManifest(OCI_MANIFEST, Descriptor.of(OCI_CONFIG, config), List.of(Descriptor.of(OCI_LAYER, layer))));
        assertError(putManifest(repo, "v1", OCI_MANIFEST, body), 400, "MANIFEST_BLOB_UNKNOWN");
        assertNoManifest(repo, "v1");
        assertNoManifest(repo, sha256(body));
    }

    /** As Distribution and the spec: a reference the push cannot resolve is the client's error, 400. */
    @Test
    void indexWithAMissingChildIs400ManifestBlobUnknown() {
        String repo = repo("manifests");
        Pushed child = pushImage(repo, "child", OCI_MANIFEST);
        Descriptor missing = new Descriptor(OCI_MANIFEST, sha256(randomBytes(10)), 500);
        byte[] body = bytes(index(OCI_INDEX, List.of(child.descriptor(), missing)));
        JsonNode error = assertError(putManifest(repo, "multi", OCI_INDEX, body), 400, "MANIFEST_BLOB_UNKNOWN");
        assertEquals(missing.digest(), error.path("errors").get(0).path("detail").path("digest").asText(), error::toString);
        assertNoManifest(repo, "multi");
        // a child in another repository is missing as well
        String other = repo("manifests");
        pushImage(other, "x", OCI_MANIFEST);
        assertError(putManifest(other, "multi", OCI_INDEX, bytes(index(OCI_INDEX, List.of(child.descriptor())))), 400,
                "MANIFEST_BLOB_UNKNOWN");
        assertNoManifest(other, "multi");
    }

    @Test
    void schema1Is400ManifestInvalid() {
        String repo = repo("manifests");
        String schema1 = "{\"schemaVersion\":1,\"name\":\"" + repo + "\",\"tag\":\"v1\",\"architecture\":\"amd64\","
                + "\"fsLayers\":[],\"history\":[]}";
        assertError(putManifest(repo, "v1", "application/vnd.docker.distribution.manifest.v1+prettyjws",
                schema1.getBytes()), 400, "MANIFEST_INVALID");
        assertError(putManifest(repo, "v1", "application/vnd.docker.distribution.manifest.v1+json",
                schema1.getBytes()), 400, "MANIFEST_INVALID");
        assertError(putManifest(repo, "v1", "application/json", schema1.getBytes()), 400, "MANIFEST_INVALID");
        assertNoManifest(repo, "v1");
    }

    @ParameterizedTest(name = "body {0}")
    @ValueSource(strings = { "not json", "{\"schemaVersion\":2,", "[]", "\"str\"", "{}", "{\"schemaVersion\":3}",
            "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\"}",
            "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"digest\":\"sha256:abc\",\"size\":1}}",
            "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":{}}" })
    void invalidManifestIs400ManifestInvalid(String body) {
        String repo = repo("manifests");
        assertError(putManifest(repo, "v1", OCI_MANIFEST, body.getBytes(StandardCharsets.UTF_8)), 400, "MANIFEST_INVALID");
        assertNoManifest(repo, "v1");
    }

    @Test
    void contentTypeContradictingTheMediaTypeIs400ManifestInvalid() {
        String repo = repo("manifests");
        Pushed image = pushImage(repo, "v1", OCI_MANIFEST);
        assertError(putManifest(repo, "v2", DOCKER_MANIFEST, image.content()), 400, "MANIFEST_INVALID");
    }

    @Test
    void putByDigestThatDoesNotMatchTheBodyIs400DigestInvalid() {
        String repo = repo("manifests");
        Pushed image = pushImage(repo, "v1", OCI_MANIFEST);
        String wrong = sha256(randomBytes(5));
        assertError(putManifest(repo, wrong, OCI_MANIFEST, image.content()), 400, "DIGEST_INVALID");
        assertNoManifest(repo, wrong);
        assertError(putManifest(repo, "md5:d41d8cd98f00b204e9800998ecf8427e", OCI_MANIFEST, image.content()), 400, "DIGEST_INVALID");
    }

    @ParameterizedTest(name = "tag {0}")
    @ValueSource(strings = { ".dot", "-dash", "v1:latest", "a:b:c", "a%21b", "t%C3%A9", "0123456789012345678901234567890123456789012345678901234567890123"
            + "456789012345678901234567890123456789012345678901234567890123456789" })
    void invalidTagIs400TagInvalid(String tag) {
        String repo = repo("manifests");
        Pushed image = pushImage(repo, "v1", OCI_MANIFEST);
        assertError(putManifest(repo, tag, OCI_MANIFEST, image.content()), 400, "TAG_INVALID");
        request().get("/v2/" + repo + "/tags/list").then().body("tags", equalTo(List.of("v1")));
    }

    /**
     * What is neither a tag nor a digest names no manifest: 404 MANIFEST_UNKNOWN on GET and HEAD,
     * as Distribution answers and the OCI conformance suite expects (only a push says TAG_INVALID).
     */
    @ParameterizedTest(name = "reference {0}")
    @ValueSource(strings = { ".INVALID_MANIFEST_NAME", "-dash", "v1:latest", "a%21b",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" })
    void referenceThatIsNeitherTagNorDigestIs404ManifestUnknown(String reference) {
        String repo = repo("manifests");
        pushImage(repo, "v1", OCI_MANIFEST);
        assertError(request().get("/v2/" + repo + "/manifests/" + reference), 404, "MANIFEST_UNKNOWN");
        Response head = request().head("/v2/" + repo + "/manifests/" + reference);
        head.then().statusCode(404).header(RegistryClient.API_VERSION, "registry/2.0");
        assertEquals(0, head.asByteArray().length);
    }

    @Test
    void longestValidTagIsAccepted() {
        String repo = repo("manifests");
        String tag = "a".repeat(128);
        Pushed image = pushImage(repo, tag, OCI_MANIFEST);
        assertServed(repo, tag, image);
    }

    @Test
    void subjectIsAcceptedWhenTheSubjectDoesNotExistAndAnsweredWithOciSubject() {
        String repo = repo("manifests");
        Descriptor subject = new Descriptor(OCI_MANIFEST, sha256(randomBytes(32)), 1234);
        byte[] empty = "{}".getBytes();
        pushBlob(repo, empty);
        byte[] body = bytes(RegistryClient.artifact("application/vnd.example.sbom", subject, Map.of("k", "v")));
        String digest = sha256(body);
        putManifest(repo, digest, OCI_MANIFEST, body).then().statusCode(201)
                .header("OCI-Subject", subject.digest())
                .header("Docker-Content-Digest", digest);
        assertServed(repo, digest, new Pushed(OCI_MANIFEST, body, digest));
        // without a subject there is no OCI-Subject
        Pushed plain = pushImage(repo, "plain", OCI_MANIFEST);
        putManifest(repo, "again", OCI_MANIFEST, plain.content()).then().statusCode(201).header("OCI-Subject", nullValue());
    }

    @Test
    void ociIndexIsNotServedToAClientThatAcceptsOnlyDockerTypes() throws Exception {
        String repo = repo("manifests");
        Pushed index = pushIndex(repo);
        assertError(request().accept(DOCKER_MANIFEST + ", " + DOCKER_LIST).get("/v2/" + repo + "/manifests/multi"),
                404, "MANIFEST_UNKNOWN");
        request().accept(DOCKER_LIST).head("/v2/" + repo + "/manifests/multi").then().statusCode(404);
        request().accept(DOCKER_LIST + ";q=0.9, " + OCI_INDEX + ";q=0.5").get("/v2/" + repo + "/manifests/multi")
                .then().statusCode(200).header("Content-Type", OCI_INDEX);
        request().accept("*/*").get("/v2/" + repo + "/manifests/multi").then().statusCode(200);

        // no Accept header at all (RestAssured always sends one, the JDK client does not)
        HttpResponse<byte[]> noAccept = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(RestAssured.baseURI + ":" + RestAssured.port + "/v2/" + repo + "/manifests/multi"))
                .GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        assertFalse(noAccept.request().headers().firstValue("Accept").isPresent());
        assertEquals(200, noAccept.statusCode());
        assertEquals(OCI_INDEX, noAccept.headers().firstValue("Content-Type").orElse(null));
        assertArrayEquals(index.content(), noAccept.body());

        // Docker types are served whatever the client accepts
        Pushed docker = pushImage(repo, "docker", DOCKER_MANIFEST);
        request().accept(OCI_MANIFEST).get("/v2/" + repo + "/manifests/docker").then().statusCode(200)
                .header("Content-Type", DOCKER_MANIFEST).header("Docker-Content-Digest", docker.digest());
    }

    private static Pushed pushIndex(String repo) {
        return RegistryClient.pushIndex(repo, "multi", OCI_INDEX);
    }

    @Test
    void deleteByTagRemovesOnlyTheTag() {
        String repo = repo("manifests");
        Pushed image = pushImage(repo, "v1", OCI_MANIFEST);
        pushManifest(repo, "v2", OCI_MANIFEST, image.content());
        request().delete("/v2/" + repo + "/manifests/v1").then().statusCode(202);
        assertNoManifest(repo, "v1");
        assertServed(repo, "v2", image);
        assertServed(repo, image.digest(), image);
        request().get("/v2/" + repo + "/tags/list").then().statusCode(200).body("tags", equalTo(List.of("v2")));
        assertError(request().delete("/v2/" + repo + "/manifests/v1"), 404, "MANIFEST_UNKNOWN");
    }

    @Test
    void deleteByDigestRemovesTheManifestAndItsTagsButNotOtherManifests() {
        String repo = repo("manifests");
        Pushed image = pushImage(repo, "v1", OCI_MANIFEST);
        pushManifest(repo, "v2", OCI_MANIFEST, image.content());
        Pushed other = pushImage(repo, "other", DOCKER_MANIFEST);
        request().delete("/v2/" + repo + "/manifests/" + image.digest()).then().statusCode(202);
        assertNoManifest(repo, image.digest());
        assertNoManifest(repo, "v1");
        assertNoManifest(repo, "v2");
        assertServed(repo, "other", other);
        request().get("/v2/" + repo + "/tags/list").then().statusCode(200).body("tags", equalTo(List.of("other")));
        // the layers stay in the repository
        String layer = parse(image.content()).path("layers").get(0).path("digest").asText();
        request().head("/v2/" + repo + "/blobs/" + layer).then().statusCode(200);
    }

    @Test
    void unknownManifestIs404() {
        String repo = repo("manifests");
        pushImage(repo, "v1", OCI_MANIFEST);
        assertNoManifest(repo, "nope");
        assertNoManifest(repo, sha256(randomBytes(3)));
        assertNoManifest(repo("nothing"), "latest");
        assertError(request().delete("/v2/" + repo + "/manifests/nope"), 404, "MANIFEST_UNKNOWN");
        assertError(request().get("/v2/" + repo + "/manifests/sha256:abc"), 400, "DIGEST_INVALID");
    }

    @Test
    void aBlobIsNotAManifest() {
        String repo = repo("manifests");
        Pushed image = pushImage(repo, "v1", OCI_MANIFEST);
        String config = parse(image.content()).path("config").path("digest").asText();
        assertNoManifest(repo, config);
        assertTrue(config.startsWith("sha256:"));
    }

    @Test
    void dockerImageWithDockerTypesRoundTrips() {
        String repo = repo("manifests");
        Pushed image = pushImage(repo, "v1", DOCKER_MANIFEST);
        assertEquals(DOCKER_CONFIG, parse(image.content()).path("config").path("mediaType").asText());
        assertEquals(DOCKER_LAYER, parse(image.content()).path("layers").get(0).path("mediaType").asText());
        assertServed(repo, "v1", image);
    }
}
