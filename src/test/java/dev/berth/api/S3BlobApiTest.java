package dev.berth.api;

import static dev.berth.api.RegistryClient.assertBlob;
import static dev.berth.api.RegistryClient.pushBlob;
import static dev.berth.api.RegistryClient.randomBytes;
import static dev.berth.api.RegistryClient.repo;
import static dev.berth.api.RegistryClient.request;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

import dev.berth.api.RawHttp.Body;
import dev.berth.api.RawHttp.End;
import dev.berth.api.RawHttp.Head;
import dev.berth.storage.s3.S3ProxyResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

@QuarkusTest
@TestProfile(S3Profile.class)
class S3BlobApiTest extends AbstractBlobApiTest {

    /**
     * A pooled S3 connection counts four descriptors in this JVM (the SDK's, the relay's two,
     * S3Proxy's), and the pool may keep a few more after the test than before; a leak would be four
     * per download, 200 in all.
     */
    @Override
    int descriptorSlack() {
        return 16;
    }

    @Test
    void unreachableStorageIs503WithRetryAfter() throws Exception {
        String repo = repo("blobs");
        byte[] content = randomBytes(100_000);
        String digest = pushBlob(repo, content);
        assertBlob(repo, digest, content); // the size is cached: no storage call before the read

        S3ProxyResource.outage(() -> {
            // the SDK's retries take a few seconds; an answer must come well within STALL
            try (RawHttp http = RawHttp.connect(Duration.ofSeconds(60))) {
                Head head = http.send("GET", "/v2/" + repo + "/blobs/" + digest).head();
                assertEquals(503, head.status(), () -> "GET while S3 is down: " + head.headers());
                assertNotNull(head.header("Retry-After"), "Retry-After");
                Body body = http.body(head.contentLength());
                assertEquals(End.COMPLETE, body.end());
                String json = new String(body.bytes());
                assertTrue(json.contains("\"UNAVAILABLE\""), json);
            }
            // the blob is not known to be gone: its descriptor stays (HEAD needs no storage)
            request().head("/v2/" + repo + "/blobs/" + digest).then().statusCode(200);
        });
        assertBlob(repo, digest, content);
    }

    @Test
    void storageLostMidBodyCutsTheConnectionAtOnce() throws Exception {
        String repo = repo("blobs");
        // larger than what the socket buffers between S3, Berth and the client hold
        byte[] content = randomBytes(32 * 1024 * 1024);
        String digest = pushBlob(repo, content);

        try (RawHttp http = RawHttp.connect(STALL)) {
            Head head = http.send("GET", "/v2/" + repo + "/blobs/" + digest).head();
            assertEquals(200, head.status());
            assertEquals(content.length, head.contentLength());
            byte[] first = http.body(1024 * 1024).bytes();
            assertArrayEquals(Arrays.copyOf(content, first.length), first);
            S3ProxyResource.outage(() -> {
                Body rest = http.body(content.length - first.length);
                assertEquals(End.CLOSED, rest.end(),
                        () -> "after " + (first.length + rest.bytes().length) + " of " + content.length + " bytes, waited " + rest.waited());
                assertTrue(first.length + rest.bytes().length < content.length);
            });
        }
        assertBlob(repo, digest, content);
    }
}
