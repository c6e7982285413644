package dev.berth.api;

import static dev.berth.api.RegistryClient.assertBlob;
import static dev.berth.api.RegistryClient.assertError;
import static dev.berth.api.RegistryClient.assertNoBlob;
import static dev.berth.api.RegistryClient.bytes;
import static dev.berth.api.RegistryClient.imageManifest;
import static dev.berth.api.RegistryClient.OCI_CONFIG;
import static dev.berth.api.RegistryClient.OCI_LAYER;
import static dev.berth.api.RegistryClient.OCI_MANIFEST;
import static dev.berth.api.RegistryClient.pushBlob;
import static dev.berth.api.RegistryClient.putManifest;
import static dev.berth.api.RegistryClient.randomBytes;
import static dev.berth.api.RegistryClient.repo;
import static dev.berth.api.RegistryClient.request;
import static dev.berth.api.RegistryClient.sha256;
import static dev.berth.api.RegistryClient.startUpload;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.berth.api.RegistryClient.Descriptor;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/** A full or read-only disk answers 507 or 503 naming the cause, never 500, and leaves no blob behind. */
@QuarkusTest
@TestProfile(FullStorageProfile.class)
class FullStorageApiTest {

    private static Path root() {
        return Path.of(ConfigProvider.getConfig().getValue("storage.filesystem.rootdirectory", String.class));
    }

    private static String message(JsonNode body) {
        return body.path("errors").get(0).path("message").asText();
    }

    /** Files in the blob store: a blob that failed to arrive must not be there, whole or in part. */
    private static long storedBlobs() throws IOException {
        Path blobs = root().resolve("docker/registry/v2/blobs");
        if (!Files.exists(blobs)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(blobs)) {
            return files.filter(Files::isRegularFile).count();
        }
    }

    @Test
    void aPushThatFillsTheDiskAnswers507AndLeavesNothingReadable() throws IOException {
        assumeTrue(ConfigProvider.getConfig().getValue(TmpfsResource.MOUNTED, Boolean.class),
                "mounting a tmpfs needs root; the faults middleware tests cover the mapping");
        String repo = repo("disk");
        byte[] tooBig = randomBytes((int) TmpfsResource.SIZE + 1024 * 1024);
        String digest = sha256(tooBig);
        long blobsBefore = storedBlobs();

        // chunked: the PATCH fills the disk
        String location = startUpload(repo);
        Response patch = request().contentType("application/octet-stream").body(tooBig).patch(location);
        JsonNode body = assertError(patch, 507, "UNKNOWN");
        assertEquals("insufficient storage: no space left on device", message(body));
        assertNull(patch.header("Retry-After"), "freeing space is an operator's job, not a matter of waiting");
        assertNoBlob(repo, digest);
        assertEquals(blobsBefore, storedBlobs());

        // cancelling the upload frees its partial data: the registry works again
        request().delete(location).then().statusCode(204);
        byte[] small = randomBytes(100_000);
        String smallDigest = pushBlob(repo, small);
        assertBlob(repo, smallDigest, small);

        // monolithic: the same, in one request
        Response post = request().contentType("application/octet-stream").body(tooBig)
                .post("/v2/" + repo + "/blobs/uploads/?digest=" + digest);
        assertEquals("insufficient storage: no space left on device", message(assertError(post, 507, "UNKNOWN")));
        assertNoBlob(repo, digest);
        assertEquals(blobsBefore + 1, storedBlobs(), "only the small blob");
    }

    /** A failed upload's partial data fills the disk until purged; the other tests need room. */
    @AfterEach
    void freeTheDisk() throws IOException {
        deleteRecursively(root().resolve("docker/registry/v2/repositories/disk"));
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @Test
    void aWriterFailingWithEnospcAnswers507() {
        String repo = repo("faults/fullwrite");
        byte[] content = randomBytes((int) FaultsMiddlewareFactory.WRITTEN_BEFORE_FULL * 4);
        String digest = sha256(content);

        String location = startUpload(repo);
        Response patch = request().contentType("application/octet-stream").body(content).patch(location);
        assertEquals("insufficient storage: no space left on device", message(assertError(patch, 507, "UNKNOWN")));
        assertNoBlob(repo, digest);

        Response post = request().contentType("application/octet-stream").body(content)
                .post("/v2/" + repo + "/blobs/uploads/?digest=" + digest);
        assertEquals("insufficient storage: no space left on device", message(assertError(post, 507, "UNKNOWN")));
        assertNoBlob(repo, digest);
    }

    @Test
    void anUntranslatedDiskErrorStillNamesItsCause() {
        Response full = request().post("/v2/" + repo("faults/fullput") + "/blobs/uploads/");
        assertEquals("insufficient storage: no space left on device", message(assertError(full, 507, "UNKNOWN")));

        Response readOnly = request().post("/v2/" + repo("faults/rofs") + "/blobs/uploads/");
        JsonNode body = assertError(readOnly, 503, "UNAVAILABLE");
        assertEquals("storage refuses writes: read-only file system", message(body));
        assertTrue(readOnly.header("Retry-After") == null, "a read-only disk does not heal by waiting");
    }

    /**
     * A manifest push whose commit comes more than {@code Manifests.COMMIT_WINDOW} after it checked its
     * references checks them again (docs/gc.md): a layer link a garbage collection removed meanwhile fails it.
     */
    @Test
    void aStalledManifestPushChecksItsReferencesAgain() throws Exception {
        String repo = repo("slowcommit");
        byte[] config = ("{\"n\":\"" + sha256(randomBytes(8)) + "\"}").getBytes(StandardCharsets.UTF_8);
        byte[] layer = randomBytes(1024);
        pushBlob(repo, config);
        String layerDigest = pushBlob(repo, layer);
        ObjectNode manifest = imageManifest(OCI_MANIFEST, Descriptor.of(OCI_CONFIG, config), List.of(Descriptor.of(OCI_LAYER, layer)));
        manifest.putObject("annotations").put(FaultsMiddlewareFactory.SLOW_MARKER, "yes");
        byte[] body = bytes(manifest);
        CompletableFuture<Response> put = CompletableFuture.supplyAsync(() -> putManifest(repo, "v1", OCI_MANIFEST, body));
        Thread.sleep(2000); // the push has checked its references and stalls writing its content
        Files.delete(root().resolve("docker/registry/v2/repositories/" + repo + "/_layers/sha256/" + layerDigest.substring(7) + "/link"));
        assertError(put.get(60, TimeUnit.SECONDS), 400, "MANIFEST_BLOB_UNKNOWN");
        request().get("/v2/" + repo + "/manifests/v1").then().statusCode(404);
    }

    /** The push writes its content again after its revision link: content swept meanwhile comes back (docs/gc.md). */
    @Test
    void aManifestWhoseContentIsSweptAsItCommitsStillHasIt() {
        String repo = repo("faults/swept");
        byte[] config = ("{\"n\":\"" + sha256(randomBytes(8)) + "\"}").getBytes(StandardCharsets.UTF_8);
        pushBlob(repo, config);
        byte[] body = bytes(imageManifest(OCI_MANIFEST, Descriptor.of(OCI_CONFIG, config), List.of()));
        Response put = putManifest(repo, "v1", OCI_MANIFEST, body);
        assertEquals(201, put.statusCode(), put.asString());
        Response got = request().accept(OCI_MANIFEST).get("/v2/" + repo + "/manifests/v1");
        assertEquals(200, got.statusCode(), got.asString());
        assertArrayEquals(body, got.asByteArray());
    }
}
