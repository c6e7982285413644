package dev.berth.proxy;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;

/**
 * At startup, removes the spool files that a mirror stopped mid-fill left behind: nothing else would,
 * and each can be as large as a layer. A live {@link Spool} holds a lock on its file, so the files of
 * live processes sharing the directory are kept.
 */
@ApplicationScoped
class StaleSpools {
    private static final Logger LOG = Logger.getLogger(StaleSpools.class);
    /** Older than any spool file between its creation and its lock. */
    static final Duration MIN_AGE = Duration.ofMinutes(1);

    @Inject
    Upstream upstream;

    void atStartup(@Observes StartupEvent event) {
        if (!upstream.enabled()) {
            return;
        }
        Path directory = upstream.settings().spoolDirectory();
        try {
            int removed = remove(directory, MIN_AGE);
            if (removed > 0) {
                LOG.infof("proxy: removed %d spool files left by a stopped process in %s", removed, directory);
            }
        } catch (IOException e) {
            LOG.warnf("proxy: cannot look for stale spool files in %s: %s", directory, e.getMessage());
        }
    }

    /**
     * Removes the spool files in {@code directory} that no live process holds and that are older than
     * {@code age} (one just created may not be locked yet). Blocking; for a process that spools nothing
     * yet (at startup). Returns how many were removed.
     */
    static int remove(Path directory, Duration age) throws IOException {
        Instant before = Instant.now().minus(age);
        int removed = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, Spool.PREFIX + "*" + Spool.SUFFIX)) {
            for (Path file : files) {
                if (stale(file, before) && removeUnlocked(file)) {
                    removed++;
                }
            }
        }
        return removed;
    }

    /** Checked before the file is opened: closing a channel drops every lock this process holds on the file. */
    private static boolean stale(Path file, Instant before) throws IOException {
        try {
            return !Files.getLastModifiedTime(file).toInstant().isAfter(before);
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    private static boolean removeUnlocked(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE); FileLock lock = channel.tryLock()) {
            if (lock == null) {
                return false;
            }
            Files.delete(file);
            return true;
        } catch (OverlappingFileLockException | NoSuchFileException e) {
            // a spool of this process, or one removed meanwhile
            return false;
        } catch (IOException e) {
            LOG.warnf("proxy: spool file %s left as it is: %s", file, e.getMessage());
            return false;
        }
    }
}
