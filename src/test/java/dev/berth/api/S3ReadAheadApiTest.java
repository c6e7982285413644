package dev.berth.api;

import static dev.berth.api.RegistryClient.pushBlob;
import static dev.berth.api.RegistryClient.randomBytes;
import static dev.berth.api.RegistryClient.repo;
import static dev.berth.api.RegistryClient.request;
import static dev.berth.api.RegistryClient.sha256;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

import dev.berth.storage.s3.S3ProxyResource;
import dev.berth.testsupport.S3Requests;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.response.Response;

/** Blob GETs streamed by Berth from S3 in ranges of 1 MiB (s3-api.yml), counted at the relay in front of S3Proxy. */
@QuarkusTest
@TestProfile(S3Profile.class)
class S3ReadAheadApiTest {
    private static final int MIB = 1024 * 1024;

    @Test
    void aBlobOfManyRangesStreamsByteIdenticalWholeAndInAClientRange() {
        byte[] content = randomBytes(40 * MIB + 17);
        String repo = repo("readahead");
        String digest = pushBlob(repo, content);
        S3Requests s3 = S3ProxyResource.requests();

        s3.clear();
        Response whole = request().get("/v2/" + repo + "/blobs/" + digest);
        whole.then().statusCode(200).header("Content-Length", String.valueOf(content.length));
        assertEquals(digest, sha256(whole.asByteArray()));
        assertEquals(41, dataReads(s3), s3.byOperation().toString());

        s3.clear();
        int from = 3 * MIB + 5;
        int to = 30 * MIB + 9;
        Response part = request().header("Range", "bytes=" + from + "-" + to).get("/v2/" + repo + "/blobs/" + digest);
        part.then().statusCode(206).header("Content-Range", "bytes " + from + "-" + to + "/" + content.length);
        assertArrayEquals(Arrays.copyOfRange(content, from, to + 1), part.asByteArray());
        assertEquals(28, dataReads(s3), s3.byOperation().toString());
    }

    /** GetObjects of blob data (the others read links). */
    private static long dataReads(S3Requests s3) {
        return s3.all().stream().filter(r -> r.operation().equals("GetObject") && r.target().contains("/blobs/sha256/")).count();
    }

    @Test
    void s3LostMidDownloadCutsTheClientInsteadOfEndingTheBody() throws Exception {
        byte[] content = randomBytes(40 * MIB);
        String repo = repo("readahead-cut");
        String digest = pushBlob(repo, content);
        HttpClient client = HttpClient.newHttpClient();
        HttpResponse<InputStream> response = client.send(HttpRequest.newBuilder(
                URI.create(RestAssured.baseURI + ":" + RestAssured.port + "/v2/" + repo + "/blobs/" + digest)).GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, response.statusCode());
        try (InputStream body = response.body()) {
            assertEquals(2 * MIB, body.readNBytes(2 * MIB).length);
            S3ProxyResource.outage(() -> {
                // the rest never arrives whole: the connection is cut before Content-Length bytes
                assertThrows(IOException.class, () -> body.readAllBytes());
            });
        }
        // S3 back: the same blob is served whole again
        assertEquals(digest, sha256(request().get("/v2/" + repo + "/blobs/" + digest).asByteArray()));
    }
}
