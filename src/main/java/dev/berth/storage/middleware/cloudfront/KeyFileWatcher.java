package dev.berth.storage.middleware.cloudfront;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.interfaces.RSAPrivateCrtKey;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.jboss.logging.Logger;

/**
 * Polls the private key file and hands a changed, valid key to {@code onNewKey}, so a key is
 * rotated without restart. Content is compared (not mtime), which also works on filesystems with
 * coarse timestamps and for Kubernetes secret volumes (symlink swaps). A broken file keeps the old key.
 */
public final class KeyFileWatcher implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(KeyFileWatcher.class);

    private final Path file;
    private final Consumer<RSAPrivateCrtKey> onNewKey;
    private byte[] lastSeen;
    private String lastError;
    private ScheduledFuture<?> task;

    public KeyFileWatcher(Path file, byte[] loadedContent, Consumer<RSAPrivateCrtKey> onNewKey) {
        this.file = file;
        this.lastSeen = loadedContent;
        this.onNewKey = onNewKey;
    }

    public KeyFileWatcher start(ScheduledExecutorService scheduler, Duration interval) {
        long millis = interval.toMillis();
        task = scheduler.scheduleWithFixedDelay(this::check, millis, millis, TimeUnit.MILLISECONDS);
        return this;
    }

    /** One poll; true when a new key was installed. */
    synchronized boolean check() {
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (IOException e) {
            report("cannot be read (" + e + ")");
            return false;
        }
        if (Arrays.equals(content, lastSeen)) {
            return false;
        }
        lastSeen = content;
        RSAPrivateCrtKey key;
        try {
            key = PemRsaKey.parse(new String(content, StandardCharsets.US_ASCII));
        } catch (IllegalArgumentException e) {
            report(e.getMessage());
            return false;
        }
        try {
            onNewKey.accept(key);
        } catch (RuntimeException e) {
            // a throwing periodic task would never run again, so report and keep polling
            report("cannot be used (" + e.getMessage() + ")");
            return false;
        }
        lastError = null;
        LOG.infof("middleware cloudfront: privatekey %s changed, signing with the new key", file);
        return true;
    }

    /** Logs a problem once, not on every poll. */
    private void report(String problem) {
        if (!problem.equals(lastError)) {
            lastError = problem;
            LOG.errorf("middleware cloudfront: privatekey %s: %s; keeping the previous key", file, problem);
        }
    }

    @Override
    public void close() {
        if (task != null) {
            task.cancel(false);
        }
    }
}
