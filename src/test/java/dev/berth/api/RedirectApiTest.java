package dev.berth.api;

import static dev.berth.api.RegistryClient.pushBlob;
import static dev.berth.api.RegistryClient.randomBytes;
import static dev.berth.api.RegistryClient.repo;
import static dev.berth.api.RegistryClient.request;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import dev.berth.storage.middleware.RedirectMiddlewareProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/** A redirecting storage (here the redirect middleware): blob GET is a 307, HEAD and manifests are not. */
@QuarkusTest
@TestProfile(RedirectMiddlewareProfile.class)
class RedirectApiTest {

    @Test
    void blobGetRedirectsWithDigestAndNoBody() {
        String repo = repo("redirect");
        String digest = pushBlob(repo, randomBytes(300));
        Response r = request().redirects().follow(false).get("/v2/" + repo + "/blobs/" + digest);
        assertEquals(307, r.statusCode());
        assertEquals("https://files.example.com/mirror/docker/registry/v2/blobs/sha256/" + digest.substring(7, 9) + "/"
                + digest.substring(7) + "/data", r.header("Location"));
        assertEquals(digest, r.header("Docker-Content-Digest"));
        assertEquals("registry/2.0", r.header("Docker-Distribution-API-Version"));
        assertEquals(0, r.asByteArray().length);
        assertEquals(null, r.header("Transfer-Encoding"), "a 307 is not chunked");
    }

    @Test
    void headIsAnsweredByTheRegistry() {
        String repo = repo("redirect");
        String digest = pushBlob(repo, randomBytes(300));
        Response r = request().redirects().follow(false).head("/v2/" + repo + "/blobs/" + digest);
        assertEquals(200, r.statusCode());
        assertEquals("300", r.header("Content-Length"));
        assertEquals(digest, r.header("Docker-Content-Digest"));
    }

    @Test
    void unlinkedBlobIsNotRedirected() {
        String digest = pushBlob(repo("redirect-a"), randomBytes(10));
        Response r = request().redirects().follow(false).get("/v2/" + repo("redirect-b") + "/blobs/" + digest);
        assertEquals(404, r.statusCode());
    }

    @Test
    void manifestsAreNeverRedirected() {
        String repo = repo("redirect");
        RegistryClient.Pushed pushed = RegistryClient.pushImage(repo, "v1", RegistryClient.OCI_MANIFEST);
        Response r = request().redirects().follow(false).header("Accept", RegistryClient.OCI_MANIFEST).get("/v2/" + repo + "/manifests/v1");
        assertEquals(200, r.statusCode());
        assertEquals(pushed.digest(), r.header("Docker-Content-Digest"));
    }
}
