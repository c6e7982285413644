package dev.berth.api;

import static dev.berth.api.RegistryClient.OCI_CONFIG;
import static dev.berth.api.RegistryClient.OCI_MANIFEST;
import static dev.berth.api.RegistryClient.assertBlob;
import static dev.berth.api.RegistryClient.assertError;
import static dev.berth.api.RegistryClient.bytes;
import static dev.berth.api.RegistryClient.imageManifest;
import static dev.berth.api.RegistryClient.randomBytes;
import static dev.berth.api.RegistryClient.repo;
import static dev.berth.api.RegistryClient.request;
import static dev.berth.api.RegistryClient.sha256;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.berth.api.RegistryClient.Descriptor;
import dev.berth.registry.Digest;
import dev.berth.registry.StoragePaths;
import dev.berth.storage.StorageDriver;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** {@code storage.maintenance.readonly.enabled}: reads work, every write is 405 UNSUPPORTED. */
@QuarkusTest
@TestProfile(ReadOnlyProfile.class)
class ReadOnlyApiTest {

    @Inject
    StorageDriver driver;

    private void put(String path, byte[] content) {
        driver.putContent(path, content).await().indefinitely();
    }

    private void link(String path, String digest) {
        put(path, digest.getBytes(StandardCharsets.UTF_8));
    }

    /** Content written straight to storage, as a read-only replica finds it. */
    private String seedBlob(String repo, byte[] content) {
        String digest = sha256(content);
        put(StoragePaths.blobData(Digest.parse(digest)), content);
        link(StoragePaths.layerLink(repo, Digest.parse(digest)), digest);
        return digest;
    }

    @Test
    void readsWorkAndEveryWriteIs405Unsupported() {
        String repo = repo("readonly");
        byte[] config = "{}".getBytes();
        byte[] layer = randomBytes(500);
        String configDigest = seedBlob(repo, config);
        String layerDigest = seedBlob(repo, layer);
        byte[] manifest = bytes(imageManifest(OCI_MANIFEST, Descriptor.of(OCI_CONFIG, config),
                List.of(Descriptor.of(RegistryClient.OCI_LAYER, layer))));
        Digest manifestDigest = Digest.parse(sha256(manifest));
        put(StoragePaths.blobData(manifestDigest), manifest);
        link(StoragePaths.manifestRevisionLink(repo, manifestDigest), manifestDigest.toString());
        link(StoragePaths.tagCurrentLink(repo, "v1"), manifestDigest.toString());

        request().get("/v2/").then().statusCode(200).header(RegistryClient.API_VERSION, "registry/2.0");
        assertBlob(repo, layerDigest, layer);
        request().head("/v2/" + repo + "/blobs/" + configDigest).then().statusCode(200);
        byte[] served = request().accept(OCI_MANIFEST).get("/v2/" + repo + "/manifests/v1").then().statusCode(200)
                .header("Docker-Content-Digest", manifestDigest.toString()).extract().asByteArray();
        assertArrayEquals(manifest, served);
        request().get("/v2/" + repo + "/tags/list").then().statusCode(200).body("tags", equalTo(List.of("v1")));
        request().get("/v2/_catalog").then().statusCode(200);
        request().get("/v2/" + repo + "/referrers/" + manifestDigest).then().statusCode(200);

        String upload = "/v2/" + repo + "/blobs/uploads/" + UUID.randomUUID() + "?_state=x";
        assertError(request().post("/v2/" + repo + "/blobs/uploads/"), 405, "UNSUPPORTED");
        assertError(request().body(layer).post("/v2/" + repo + "/blobs/uploads/?digest=" + layerDigest), 405, "UNSUPPORTED");
        assertError(request().post("/v2/" + repo("other") + "/blobs/uploads/?mount=" + layerDigest + "&from=" + repo), 405, "UNSUPPORTED");
        assertError(request().body(layer).patch(upload), 405, "UNSUPPORTED");
        assertError(request().put(upload + "&digest=" + layerDigest), 405, "UNSUPPORTED");
        assertError(request().delete(upload), 405, "UNSUPPORTED");
        assertError(request().contentType(OCI_MANIFEST).body(manifest).put("/v2/" + repo + "/manifests/v2"), 405, "UNSUPPORTED");
        assertError(request().delete("/v2/" + repo + "/manifests/v1"), 405, "UNSUPPORTED");
        assertError(request().delete("/v2/" + repo + "/manifests/" + manifestDigest), 405, "UNSUPPORTED");
        assertError(request().delete("/v2/" + repo + "/blobs/" + layerDigest), 405, "UNSUPPORTED");

        // nothing changed
        assertBlob(repo, layerDigest, layer);
        request().get("/v2/" + repo + "/tags/list").then().statusCode(200).body("tags", equalTo(List.of("v1")));
        request().get("/v2/" + repo + "/manifests/" + manifestDigest).then().statusCode(200);
    }
}
