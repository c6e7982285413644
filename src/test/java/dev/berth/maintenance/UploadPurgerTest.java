package dev.berth.maintenance;

import static dev.berth.storage.StorageTestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.berth.registry.StoragePaths;
import dev.berth.storage.FileWriter;
import dev.berth.storage.OpenUploads;
import dev.berth.storage.OpenUploads.OpenUpload;
import dev.berth.storage.StorageDriver;
import dev.berth.storage.s3.S3Driver;
import io.smallrye.mutiny.Multi;
import io.vertx.core.buffer.Buffer;

/** Upload purging as Distribution does it, plus the S3 multipart uploads registry:2 leaves open. */
class UploadPurgerTest {
    private static final Duration AGE = Duration.ofHours(168);
    @TempDir
    Path dir;

    /** An upload as BlobUploads starts it: startedat, then its (open) data. */
    private static void upload(StorageDriver driver, String repository, String id, Instant startedAt, boolean withStartedAt) {
        if (withStartedAt) {
            await(driver.putContent(StoragePaths.uploadStartedAt(repository, id), startedAt.toString().getBytes(StandardCharsets.UTF_8)));
        }
        await(driver.writer(StoragePaths.uploadData(repository, id), false).chain(w -> w.write(
                Multi.createFrom().item(Buffer.buffer("partial"))).chain(n -> w.close())));
    }

    private static List<String> lines() {
        return new ArrayList<>();
    }

    @Test
    void uploadsOlderThanAgeArePurgedOnTheFilesystem() {
        StorageDriver driver = TestDrivers.filesystem(dir);
        Instant now = Instant.now();
        upload(driver, "team/app", "old", now.minus(Duration.ofDays(8)), true);
        upload(driver, "team/app", "new", now.minus(Duration.ofDays(6)), true);
        List<String> out = lines();
        UploadPurger.Result dry = await(new UploadPurger(driver, Clock.systemUTC()).purge(AGE, true, out::add));
        assertEquals(1, dry.uploadsDeleted());
        assertTrue(exists(driver, StoragePaths.uploadStartedAt("team/app", "old")), "a dry run deletes nothing");
        UploadPurger.Result result = await(new UploadPurger(driver, Clock.systemUTC()).purge(AGE, false, out::add));
        assertEquals(1, result.uploadsDeleted());
        assertEquals(0, result.multipartAborted());
        assertFalse(exists(driver, StoragePaths.upload("team/app", "old")));
        assertTrue(exists(driver, StoragePaths.uploadData("team/app", "new")));
    }

    @Test
    void onS3OldAndOrphanedMultipartUploadsAreAbortedAndLiveOnesKept() {
        S3Driver driver = TestDrivers.s3("/purge");
        try {
            Instant now = Instant.now();
            upload(driver, "team/app", "old", now.minus(Duration.ofDays(8)), true);
            upload(driver, "team/app", "live", now, true);
            // registry:2's purging deleted this directory and left its multipart upload open
            upload(driver, "team/app", "orphan", now, false);
            // a blob being copied into place: not an upload, and young
            await(driver.writer(StoragePaths.ROOT + "/blobs/sha256/ab/abcd/data", false).chain(FileWriter::close));
            assertEquals(4, openUploads(driver).size());

            List<String> out = lines();
            UploadPurger.Result result = await(new UploadPurger(driver, Clock.systemUTC()).purge(AGE, false, out::add));
            assertEquals(1, result.uploadsDeleted(), out.toString());
            assertEquals(1, result.multipartAborted(), out.toString());
            // what ListMultipartUploads says now
            assertEquals(Set.of(StoragePaths.uploadData("team/app", "live"), StoragePaths.ROOT + "/blobs/sha256/ab/abcd/data"),
                    openUploads(driver));
            assertFalse(exists(driver, StoragePaths.uploadStartedAt("team/app", "old")));

            // with age 0 every open upload is older than age
            result = await(new UploadPurger(driver, Clock.offset(Clock.systemUTC(), Duration.ofSeconds(5))).purge(Duration.ZERO, false, out::add));
            assertEquals(Set.of(), openUploads(driver), out.toString());
        } finally {
            driver.close();
        }
    }

    private static Set<String> openUploads(S3Driver driver) {
        OpenUploads uploads = driver.unwrap(OpenUploads.class).orElseThrow();
        return await(uploads.openUploads("/").map(OpenUpload::path).collect().asList()).stream().collect(Collectors.toSet());
    }

    private static boolean exists(StorageDriver driver, String path) {
        try {
            await(driver.stat(path));
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }
}
