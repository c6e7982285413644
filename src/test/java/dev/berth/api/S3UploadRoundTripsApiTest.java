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
import java.util.concurrent.TimeUnit;

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
    private static final long LATENCY_MILLIS = 200;

    @Test
    void chunkedPushCountsRequestsPerPatchAndPut() throws InterruptedException {
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
        // every request held back, as a distant S3 would: what the answer waited for is told apart from what follows it
        S3ProxyResource.latency(LATENCY_MILLIS);
        try {
            request().queryParam("digest", sha256(content)).put(location).then().statusCode(201);
        } finally {
            S3ProxyResource.latency(0);
        }
        Map<String, Integer> answered = s3.byOperation();
        Map<String, Integer> put = settled(s3);
        for (int i = 0; i < chunks; i++) {
            System.out.println("round trips PATCH " + (i + 1) + ": " + total(perPatch.get(i)) + " " + perPatch.get(i));
        }
        System.out.println("round trips PUT: " + total(put) + " " + put);
        assertBlob(repo, sha256(content), content);
        for (int i = 0; i < chunks; i++) {
            Map<String, Integer> counts = perPatch.get(i);
            int parts = counts.getOrDefault("UploadPart", 0);
            // lock, tail read, tail write, lock release: nothing listed, whatever the upload's size, and the
            // start time comes from the client's state token
            assertEquals(4, total(counts) - parts, "PATCH " + (i + 1) + ": " + counts);
            assertEquals(0, counts.getOrDefault("ListMultipartUploads", 0) + counts.getOrDefault("ListParts", 0), "PATCH " + (i + 1));
        }
        // the last part and the copy's ranges aside: lock, tail, commit, stats, the copy's own
        // requests, link, clean-up; looking for the blob before placing it is one HeadObject, no listing, and
        // the copy is planned from the size the completion checked (no HeadObject of its own)
        int placing = total(put) - put.getOrDefault("UploadPart", 0) - put.getOrDefault("UploadPartCopy", 0);
        assertEquals(13, placing, "PUT: " + put);
        // the tail's delete; the upload's data, once copied, goes with the upload's removal (no delete of its own)
        assertEquals(1, put.getOrDefault("DeleteObject", 0), "PUT: " + put);
        assertEquals(2, put.getOrDefault("HeadObject", 0), "PUT: the upload's size and the blob's: " + put);
        // the upload's objects are removed after the answer (a listing of them, then of its multipart uploads):
        // the third request of that removal cannot have started before the answer arrived
        assertEquals(0, answered.getOrDefault("ListMultipartUploads", 0), "PUT answered after its clean-up: " + answered);
        assertEquals(1, put.getOrDefault("ListMultipartUploads", 0), "PUT: " + put);
    }

    /** The requests since the last clear once no new one came for a while: what runs after an answer included. */
    private static Map<String, Integer> settled(S3Requests s3) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        int seen = -1;
        while (s3.total() != seen && System.nanoTime() < deadline) {
            seen = s3.total();
            Thread.sleep(LATENCY_MILLIS * 3);
        }
        return s3.byOperation();
    }

    private static int total(Map<String, Integer> counts) {
        return counts.values().stream().mapToInt(Integer::intValue).sum();
    }
}
