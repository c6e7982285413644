package dev.berth.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.berth.registry.DigestAlgorithm;
import io.vertx.core.Vertx;

/** Spool files left by a process that died, told from live ones by their lock, as another process sees them. */
class StaleSpoolsTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Vertx vertx = Vertx.vertx();
    @TempDir
    Path directory;
    @TempDir
    Path programs;

    @AfterAll
    static void close() {
        vertx.close();
    }

    @Test
    void staleSpoolFilesAreRemovedButNotThoseALiveProcessHoldsOrJustCreated() throws Exception {
        FileTime old = FileTime.from(Instant.now().minus(Duration.ofMinutes(5)));
        Path killed = Files.write(directory.resolve("berth-spool-1.blob"), SpoolTest.random(4096, 5));
        Path held = Files.write(directory.resolve("berth-spool-2.blob"), SpoolTest.random(4096, 6));
        Path fresh = Files.write(directory.resolve("berth-spool-3.blob"), SpoolTest.random(4096, 7));
        Path other = Files.write(directory.resolve("notes.blob"), SpoolTest.random(16, 8));
        for (Path file : List.of(killed, held, other)) {
            Files.setLastModifiedTime(file, old);
        }
        Process holder = holdLock(held);
        try {
            assertEquals(1, StaleSpools.remove(directory, StaleSpools.MIN_AGE));
            assertFalse(Files.exists(killed), "no process holds it: removed");
            assertTrue(Files.exists(held), "locked by a live process: kept");
            assertTrue(Files.exists(fresh), "younger than a minute: kept");
            assertTrue(Files.exists(other), "not a spool file: kept");
        } finally {
            holder.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        assertEquals(1, StaleSpools.remove(directory, StaleSpools.MIN_AGE), "its process was killed");
        assertFalse(Files.exists(held));
        assertTrue(Files.exists(fresh));
    }

    @Test
    void aSpoolFileIsLockedWhileOpen() throws Exception {
        Spool spool = Spool.create(vertx, directory, DigestAlgorithm.SHA256).await().atMost(WAIT);
        Path file;
        try (Stream<Path> files = Files.list(directory)) {
            file = files.findFirst().orElseThrow();
        }
        Process probe = new ProcessBuilder(java(), lockProgram().toString(), file.toString(), "try").redirectErrorStream(true).start();
        assertTrue(probe.waitFor(60, TimeUnit.SECONDS));
        assertEquals("busy", new String(probe.getInputStream().readAllBytes()).trim(), "another process cannot lock it");
        spool.delete().await().atMost(WAIT);
        assertEquals(0, files());
    }

    /** A process holding an exclusive lock on {@code file} (as a live Berth holds its spool files), once it says so. */
    private Process holdLock(Path file) throws IOException {
        Process holder = new ProcessBuilder(java(), lockProgram().toString(), file.toString(), "hold").redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream()));
        String line = out.readLine();
        if (!"locked".equals(line)) {
            holder.destroyForcibly();
            throw new IllegalStateException("lock holder said " + line);
        }
        return holder;
    }

    private Path lockProgram() throws IOException {
        Path source = programs.resolve("LockFile.java");
        Files.writeString(source, """
                import java.nio.channels.FileChannel;
                import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
                import java.nio.file.StandardOpenOption;

                public class LockFile {
                    public static void main(String[] args) throws Exception {
                        FileChannel channel = FileChannel.open(Path.of(args[0]), StandardOpenOption.WRITE);
                        if (args[1].equals("try")) {
                            System.out.println(channel.tryLock() == null ? "busy" : "free");
                            return;
                        }
                        channel.lock();
                        System.out.println("locked");
                        System.out.flush();
                        Thread.sleep(600_000);
                    }
                }
                """);
        return source;
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private long files() throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.count();
        }
    }
}
