package dev.berth.api;

import static dev.berth.api.RegistryClient.assertBlob;
import static dev.berth.api.RegistryClient.randomBytes;
import static dev.berth.api.RegistryClient.repo;
import static dev.berth.api.RegistryClient.request;
import static dev.berth.api.RegistryClient.sha256;
import static dev.berth.api.RegistryClient.startUpload;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import dev.berth.storage.s3.S3ProxyResource;
import dev.berth.testsupport.S3Requests;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/** S3 requests per upload request, counted on the wire (the relay in front of S3Proxy). */
@QuarkusTest
@TestProfile(S3Profile.class)
class S3UploadRoundTripsApiTest {
    private static final int MIB = 1024 * 1024;

    @Test
    void chunkedPushCountsRequestsPerPatchAndPut() {
        int chunks = 6;
        byte[] content = randomBytes(chunks * 8 * MIB);
        String repo = repo("roundtrips");
        S3Requests s3 = S3ProxyResource.requests();
        String location = startUpload(repo);
        List<Map<String, Integer>> perPatch = new ArrayList<>();
        for (int i = 0; i < chunks; i++) {
            byte[] chunk = Arrays.copyOfRange(content, i * 8 * MIB, (i + 1) * 8 * MIB);
            s3.clear();
            Response r = request().contentType("application/octet-stream").body(chunk).patch(location);
            r.then().statusCode(202);
            perPatch.add(s3.byOperation());
            location = r.header("Location");
        }
        s3.clear();
        request().queryParam("digest", sha256(content)).put(location).then().statusCode(201);
        Map<String, Integer> put = s3.byOperation();
        for (int i = 0; i < chunks; i++) {
            System.out.println("round trips PATCH " + (i + 1) + ": " + total(perPatch.get(i)) + " " + perPatch.get(i));
        }
        System.out.println("round trips PUT: " + total(put) + " " + put);
        assertBlob(repo, sha256(content), content);
        for (int i = 0; i < chunks; i++) {
            Map<String, Integer> counts = perPatch.get(i);
            int parts = counts.getOrDefault("UploadPart", 0);
            // startedat, lock, tail read, tail write, lock release: nothing listed, whatever the upload's size
            assertEquals(5, total(counts) - parts, "PATCH " + (i + 1) + ": " + counts);
            assertEquals(0, counts.getOrDefault("ListMultipartUploads", 0) + counts.getOrDefault("ListParts", 0), "PATCH " + (i + 1));
        }
        // the last part and the copy's ranges aside: start time, lock, tail, commit, stats, the copy's own
        // requests, link, clean-up; looking for the blob before placing it is one HeadObject, no listing
        int placing = total(put) - put.getOrDefault("UploadPart", 0) - put.getOrDefault("UploadPartCopy", 0);
        assertEquals(16, placing, "PUT: " + put);
    }

    private static int total(Map<String, Integer> counts) {
        return counts.values().stream().mapToInt(Integer::intValue).sum();
    }
}
