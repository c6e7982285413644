package dev.berth.api;

import static dev.berth.api.RegistryClient.OCI_MANIFEST;
import static dev.berth.api.RegistryClient.assertBlob;
import static dev.berth.api.RegistryClient.assertError;
import static dev.berth.api.RegistryClient.parse;
import static dev.berth.api.RegistryClient.pushImage;
import static dev.berth.api.RegistryClient.randomBytes;
import static dev.berth.api.RegistryClient.repo;
import static dev.berth.api.RegistryClient.request;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.berth.api.RegistryClient.Pushed;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** {@code storage.delete.enabled: false}: pushes work, deleting blobs and manifests is 405 UNSUPPORTED. */
@QuarkusTest
@TestProfile(DeleteDisabledProfile.class)
class DeleteDisabledApiTest {

    @Test
    void deletesAre405UnsupportedAndDeleteNothing() {
        String repo = repo("nodelete");
        Pushed image = pushImage(repo, "v1", OCI_MANIFEST);
        String layer = parse(image.content()).path("layers").get(0).path("digest").asText();

        assertError(request().delete("/v2/" + repo + "/blobs/" + layer), 405, "UNSUPPORTED");
        assertError(request().delete("/v2/" + repo + "/manifests/v1"), 405, "UNSUPPORTED");
        assertError(request().delete("/v2/" + repo + "/manifests/" + image.digest()), 405, "UNSUPPORTED");

        request().head("/v2/" + repo + "/blobs/" + layer).then().statusCode(200);
        request().get("/v2/" + repo + "/manifests/" + image.digest()).then().statusCode(200);
        request().get("/v2/" + repo + "/tags/list").then().statusCode(200).body("tags", equalTo(List.of("v1")));
        // cancelling an upload is not a delete of content: it still works
        byte[] chunk = randomBytes(10);
        String location = RegistryClient.startUpload(repo);
        request().body(chunk).patch(location).then().statusCode(202);
        request().delete(location).then().statusCode(204);
    }

    @Test
    void listingLimitsAreTheDefaultPageAndTheLargestOne() {
        String repo = repo("limits");
        for (String tag : List.of("a", "b", "c")) {
            pushImage(repo, tag, OCI_MANIFEST);
        }
        request().get("/v2/" + repo + "/tags/list").then().statusCode(200)
                .body("tags", equalTo(List.of("a", "b")))
                .header("Link", containsString("n=" + DeleteDisabledProfile.MAX_TAGS + "&last=b"));
        request().get("/v2/" + repo + "/tags/list?n=1").then().statusCode(200).body("tags", equalTo(List.of("a")));
        assertError(request().get("/v2/" + repo + "/tags/list?n=" + (DeleteDisabledProfile.MAX_TAGS + 1)), 400, "PAGINATION_NUMBER_INVALID");

        pushImage(repo("limits-other"), "x", OCI_MANIFEST);
        pushImage(repo("limits-third"), "x", OCI_MANIFEST);
        request().get("/v2/_catalog").then().statusCode(200).body("repositories.size()", equalTo(DeleteDisabledProfile.MAX_CATALOG));
        assertError(request().get("/v2/_catalog?n=" + (DeleteDisabledProfile.MAX_CATALOG + 1)), 400, "PAGINATION_NUMBER_INVALID");
    }
}
