package dev.berth.maintenance;

import static dev.berth.storage.StorageTestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.berth.registry.Digest;
import dev.berth.registry.StoragePaths;
import dev.berth.storage.StorageDriver;

class FilesystemGarbageCollectorTest extends GarbageCollectorContract {
    @TempDir
    Path dir;
    private StorageDriver driver;

    @Override
    protected StorageDriver driver() {
        if (driver == null) {
            driver = TestDrivers.filesystem(dir);
        }
        return driver;
    }

    /** Unlike registry:2, the sweep leaves no empty directories behind. */
    @Test
    void sweptBlobsLeaveNoEmptyDirectories() throws IOException {
        Digest lone = new LayoutWriter(driver()).blob("lone".getBytes());
        Path blobDirectory = dir.resolve(StoragePaths.blobDirectory(lone).substring(1));
        assertTrue(Files.isDirectory(blobDirectory));
        await(new GarbageCollector(driver(), Clock.offset(Clock.systemUTC(), Duration.ofHours(2)), Duration.ZERO)
                .run(new GcOptions(false, true, Duration.ofHours(1)), line -> {
                }));
        assertFalse(Files.exists(blobDirectory));
        try (Stream<Path> all = Files.walk(dir)) {
            assertEquals(0, all.filter(Files::isDirectory).filter(FilesystemGarbageCollectorTest::empty).count(),
                    "empty directories left");
        }
    }

    private static boolean empty(Path directory) {
        try (Stream<Path> children = Files.list(directory)) {
            return children.findAny().isEmpty();
        } catch (IOException e) {
            return false;
        }
    }
}
