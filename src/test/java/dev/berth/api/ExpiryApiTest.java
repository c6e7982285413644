package dev.berth.api;

import static dev.berth.api.RegistryClient.OCI_MANIFEST;
import static dev.berth.api.RegistryClient.assertError;
import static dev.berth.api.RegistryClient.pushBlob;
import static dev.berth.api.RegistryClient.pushImage;
import static dev.berth.api.RegistryClient.randomBytes;
import static dev.berth.api.RegistryClient.repo;
import static dev.berth.api.RegistryClient.request;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.berth.api.RegistryClient.Pushed;
import dev.berth.registry.Digest;
import dev.berth.registry.StoragePaths;
import dev.berth.storage.StorageDriver;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** What expires, on the short settings of {@link DeleteDisabledProfile}: cached descriptors ({@code storage.cache.descriptorttl}). */
@QuarkusTest
@TestProfile(DeleteDisabledProfile.class)
class ExpiryApiTest {
    @Inject
    StorageDriver driver;

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
}
