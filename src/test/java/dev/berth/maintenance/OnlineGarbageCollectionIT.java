package dev.berth.maintenance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.berth.it.BerthProcess;
import dev.berth.registry.Digest;
import dev.berth.registry.StoragePaths;
import dev.berth.storage.PathNotFoundException;
import dev.berth.storage.StorageDriver;
import dev.berth.storage.StorageTestSupport;

/**
 * {@code storage.maintenance.gc} as an operator turns it on: two replicas serving one storage, each with
 * online collection on its shortest interval. Garbage goes, what is referenced stays served, and the
 * lease lets one replica at a time sweep: the blobs deleted across every run of both add up to the
 * garbage, once.
 */
class OnlineGarbageCollectionIT {
    private static final Duration PATIENCE = Duration.ofSeconds(180);
    private static final Pattern DELETED = Pattern.compile("garbage collection: .* (\\d+) blobs deleted");

    @TempDir
    Path work;

    @Test
    void twoReplicasCollectGarbageOnceAndKeepWhatIsReferenced() throws Exception {
        Path root = work.resolve("registry");
        StorageDriver storage = TestDrivers.filesystem(root);
        LayoutWriter layout = new LayoutWriter(storage);
        Digest shared = layout.layer("team/app");
        Digest kept = layout.layer("team/app");
        layout.image("team/app", "v1", List.of(shared, kept));
        Digest untaggedLayer = layout.layer("team/app");
        layout.image("team/app", null, List.of(untaggedLayer));
        Digest gone = layout.layer("team/gone");
        layout.image("team/gone", "v1", List.of(gone, shared));
        layout.deleteRepository("team/gone");
        Digest orphan = layout.blob(new byte[] { 4, 2 });
        // team/gone's layer, image config and manifest, and the orphan
        long garbage = 4;

        String config = "version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: " + root
                + "\n  delete:\n    enabled: true\n  maintenance:\n    gc:\n      enabled: true\n      interval: 1m\n      grace: 0s\n";
        Path a = Files.createDirectories(work.resolve("a"));
        Path b = Files.createDirectories(work.resolve("b"));
        try (BerthProcess first = BerthProcess.start(a, config, List.of(), Map.of());
                BerthProcess second = BerthProcess.start(b, config, List.of(), Map.of())) {
            long deadline = System.nanoTime() + PATIENCE.toNanos();
            while ((exists(storage, orphan) || exists(storage, gone)) && System.nanoTime() < deadline) {
                Thread.sleep(500);
            }
            assertFalse(exists(storage, orphan), "the orphan blob was not collected in " + PATIENCE + "\n" + first.log() + second.log());
            assertFalse(exists(storage, gone), "the deleted repository's layer was not collected");
            for (Digest digest : List.of(shared, kept, untaggedLayer)) {
                assertTrue(exists(storage, digest), digest + " is referenced and was collected");
            }
            // served from either replica, byte for byte
            assertBlobServed(second, "team/app", kept);
            assertBlobServed(first, "team/app", shared);
            HttpResponse<Void> manifest = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(second.url("/v2/team/app/manifests/v1")))
                    .header("Accept", LayoutWriter.OCI_MANIFEST).GET().build(), HttpResponse.BodyHandlers.discarding());
            assertEquals(200, manifest.statusCode());

            // a sweep logs its count once it has finished, after the deletions seen above
            while (deletedInAllRuns(first.log() + second.log()) < garbage && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            Thread.sleep(2000); // time for an overlapping sweep's count to show too
            assertEquals(garbage, deletedInAllRuns(first.log() + second.log()),
                    "the garbage was deleted more than once: two sweeps overlapped\n" + first.log() + second.log());
        }
    }

    private static long deletedInAllRuns(String logs) {
        long deleted = 0;
        Matcher m = DELETED.matcher(logs);
        while (m.find()) {
            deleted += Long.parseLong(m.group(1));
        }
        return deleted;
    }

    private static boolean exists(StorageDriver storage, Digest digest) {
        try {
            storage.stat(StoragePaths.blobData(digest)).await().atMost(Duration.ofSeconds(10));
            return true;
        } catch (PathNotFoundException e) {
            return false;
        }
    }

    private static void assertBlobServed(BerthProcess berth, String repository, Digest digest) throws IOException, InterruptedException {
        HttpResponse<byte[]> got = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build().send(
                HttpRequest.newBuilder(URI.create(berth.url("/v2/" + repository + "/blobs/" + digest))).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, got.statusCode(), digest.toString());
        assertEquals(digest.toString(), "sha256:" + StorageTestSupport.sha256(got.body()));
    }
}
