package dev.berth.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileWatcherTest {
    @TempDir
    Path dir;

    @Test
    void aFileCaughtHalfWrittenIsNotTakenUntilItStopsChanging() throws Exception {
        Path file = dir.resolve("htpasswd");
        byte[] before = "alice:old\n".getBytes(StandardCharsets.UTF_8);
        Files.write(file, before);
        List<String> taken = new CopyOnWriteArrayList<>();
        // the second read comes 1 s after the first: the writer below finishes well within that
        FileWatcher watcher = new FileWatcher(Logger.getLogger(FileWatcherTest.class), "test file", file, before,
                content -> taken.add(new String(content, StandardCharsets.UTF_8)), Duration.ofSeconds(1));

        Files.writeString(file, "alice:n"); // an in-place editor has truncated and written part of the file
        CountDownLatch started = new CountDownLatch(1);
        Thread writer = new Thread(() -> {
            try {
                started.await();
                Thread.sleep(50);
                Files.writeString(file, "alice:new\nbob:new\n");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        writer.start();
        started.countDown();
        assertFalse(watcher.check(), "the half-written content must not be taken");
        writer.join(TimeUnit.SECONDS.toMillis(10));
        assertEquals(List.of(), taken);

        assertTrue(watcher.check());
        assertEquals(List.of("alice:new\nbob:new\n"), taken);
        assertFalse(watcher.check(), "unchanged content is not taken again");
        assertArrayEquals("alice:new\nbob:new\n".getBytes(StandardCharsets.UTF_8), Files.readAllBytes(file));
    }
}
