package dev.berth.api;

import static dev.berth.api.RegistryClient.OCI_MANIFEST;
import static dev.berth.api.RegistryClient.assertError;
import static dev.berth.api.RegistryClient.pushBlob;
import static dev.berth.api.RegistryClient.pushImage;
import static dev.berth.api.RegistryClient.randomBytes;
import static dev.berth.api.RegistryClient.repo;
import static dev.berth.api.RegistryClient.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.berth.api.RawHttp.Body;
import dev.berth.api.RawHttp.End;
import dev.berth.api.RawHttp.Head;
import dev.berth.api.RegistryClient.Pushed;
import dev.berth.registry.Digest;
import dev.berth.registry.StoragePaths;
import dev.berth.storage.StorageDriver;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * What expires, on the short settings of {@link DeleteDisabledProfile}: idle client connections
 * ({@code quarkus.http.idle-timeout}), cached descriptors ({@code storage.cache.descriptorttl}), and
 * tags, which {@code storage.cache.tagttl: 0s} does not cache at all.
 */
@QuarkusTest
@TestProfile(DeleteDisabledProfile.class)
class ExpiryApiTest {
    private static final Duration IDLE = DeleteDisabledProfile.IDLE_TIMEOUT;

    @Inject
    StorageDriver driver;

    @Test
    void aConnectionThatSendsNothingIsClosed() throws Exception {
        try (RawHttp http = RawHttp.connect(IDLE.multipliedBy(4))) {
            Body body = http.untilClosed();
            assertEquals(End.CLOSED, body.end(), "a connection silent for " + body.waited());
            assertTrue(body.waited().compareTo(IDLE.minusMillis(500)) >= 0, "closed after " + body.waited());
        }
    }

    @Test
    void aClientThatStopsReadingMidDownloadIsDisconnected() throws Exception {
        String repo = repo("expiry");
        // more than the socket buffers between Berth and the client hold
        byte[] content = randomBytes(32 * 1024 * 1024);
        String digest = pushBlob(repo, content);
        try (RawHttp http = RawHttp.connect(IDLE.multipliedBy(4))) {
            Head head = http.send("GET", "/v2/" + repo + "/blobs/" + digest).head();
            assertEquals(200, head.status());
            int first = http.body(65536).bytes().length;
            Thread.sleep(IDLE.multipliedBy(2).toMillis());
            Body rest = http.body(content.length - first);
            assertEquals(End.CLOSED, rest.end(), "after a pause of twice the idle timeout");
            assertTrue(first + rest.bytes().length < content.length, "the download was cut, not finished");
        }
    }

    @Test
    void descriptorsDeletedByAnotherReplicaAreForgottenWithinTheTtl() throws Exception {
        String repo = repo("expiry");
        String blob = pushBlob(repo, randomBytes(1000));
        Pushed image = pushImage(repo, "v1", OCI_MANIFEST);
        request().head("/v2/" + repo + "/blobs/" + blob).then().statusCode(200);
        request().get("/v2/" + repo + "/manifests/" + image.digest()).then().statusCode(200);

        // another replica deletes the blob and the manifest: it removes their links in the shared storage
        driver.delete(StoragePaths.layerLink(repo, Digest.parse(blob))).await().indefinitely();
        driver.delete(StoragePaths.manifestRevision(repo, Digest.parse(image.digest()))).await().indefinitely();
        // within the TTL, this replica still answers from its cache
        request().head("/v2/" + repo + "/blobs/" + blob).then().statusCode(200);
        request().get("/v2/" + repo + "/manifests/" + image.digest()).then().statusCode(200);

        Thread.sleep(DeleteDisabledProfile.DESCRIPTOR_TTL.plusMillis(500).toMillis());
        request().head("/v2/" + repo + "/blobs/" + blob).then().statusCode(404);
        assertError(request().get("/v2/" + repo + "/blobs/" + blob), 404, "BLOB_UNKNOWN");
        assertError(request().get("/v2/" + repo + "/manifests/" + image.digest()), 404, "MANIFEST_UNKNOWN");
    }

    @Test
    void withTagttl0ATagMovedByAnotherReplicaIsSeenAtOnce() {
        String repo = repo("expiry");
        Pushed first = pushImage(repo, "v1", OCI_MANIFEST);
        Pushed second = pushImage(repo, "other", OCI_MANIFEST);
        request().get("/v2/" + repo + "/manifests/v1").then().statusCode(200).header("Docker-Content-Digest", first.digest());

        // another replica moves the tag: it writes the link in the shared storage
        driver.putContent(StoragePaths.tagCurrentLink(repo, "v1"), second.digest().getBytes(StandardCharsets.UTF_8))
                .await().indefinitely();
        request().get("/v2/" + repo + "/manifests/v1").then().statusCode(200).header("Docker-Content-Digest", second.digest());
    }
}
