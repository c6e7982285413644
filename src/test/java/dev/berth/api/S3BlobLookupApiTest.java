package dev.berth.api;

import static dev.berth.api.RegistryClient.pushBlob;
import static dev.berth.api.RegistryClient.randomBytes;
import static dev.berth.api.RegistryClient.repo;
import static dev.berth.api.RegistryClient.request;
import static dev.berth.api.RegistryClient.sha256;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.berth.registry.Digest;
import dev.berth.registry.StoragePaths;
import dev.berth.storage.StorageDriver;
import dev.berth.storage.s3.S3ProxyResource;
import dev.berth.testsupport.S3Requests;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** A blob lookup that no cache answers, counted on the wire (the relay in front of S3Proxy). */
@QuarkusTest
@TestProfile(S3Profile.class)
class S3BlobLookupApiTest {
    private static final long LATENCY_MILLIS = 500;

    @Inject
    StorageDriver driver;

    @Test
    void aLinkedBlobNoCacheKnowsIsLookedUpInOneRoundTrip() {
        byte[] content = randomBytes(1024);
        String digest = sha256(content);
        pushBlob(repo("lookup-source"), content);
        // linked in storage only, as another replica would have linked it: no cache here knows it
        String repo = repo("lookup");
        driver.putContent(StoragePaths.layerLink(repo, Digest.parse(digest)), digest.getBytes(StandardCharsets.UTF_8))
                .await().indefinitely();

        S3Requests s3 = S3ProxyResource.requests();
        s3.clear();
        // every request held back, as a distant S3 would: requests sent one after the other's answer arrive that far apart
        S3ProxyResource.latency(LATENCY_MILLIS);
        try {
            request().head("/v2/" + repo + "/blobs/" + digest).then().statusCode(200)
                    .header("Content-Length", String.valueOf(content.length)).header("Docker-Content-Digest", digest);
        } finally {
            S3ProxyResource.latency(0);
        }
        // the push's clean-up may still be under way beside it
        List<S3Requests.Request> lookups = s3.all().stream().filter(r -> r.target().contains(digest.substring(7))).toList();
        assertEquals(List.of("GetObject", "HeadObject"), lookups.stream().map(S3Requests.Request::operation).sorted().toList(),
                "the link and the content: " + lookups);
        long apart = Math.abs(lookups.get(1).arrived() - lookups.get(0).arrived()) / 1_000_000;
        assertTrue(apart < LATENCY_MILLIS / 2, "the second lookup went out " + apart + " ms after the first, after its answer");
    }
}
