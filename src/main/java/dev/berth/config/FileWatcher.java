package dev.berth.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;

import org.jboss.logging.Logger;

import io.vertx.core.Vertx;

/**
 * Polls a file loaded at startup (the htpasswd file, a signing key) and hands changed content to
 * {@link Reload}, so the file is replaced without restart. Content is compared, not mtime, which
 * also works with coarse timestamps and for Kubernetes secret volumes (symlink swaps). Polls run
 * from a Vert.x timer on a worker, one at a time: no thread of its own. When the file cannot be read
 * or its new content is refused, what was loaded before stays in use, and the problem is logged once,
 * not on every poll. Changed content is taken only when a second read a moment later gives the same bytes:
 * an editor that rewrites the file in place (truncate, then write) is otherwise caught half-way, and a
 * half-written htpasswd file would lock users out until the next poll.
 */
public final class FileWatcher implements AutoCloseable {

    /** Takes new content into use; throws (with a one-line message) to refuse it. Runs on a worker. */
    @FunctionalInterface
    public interface Reload {
        void accept(byte[] content) throws Exception;
    }

    /** How long changed content must stay the same before it is taken. */
    static final Duration SETTLE = Duration.ofMillis(100);

    private final Logger log;
    private final String what;
    private final Path file;
    private final Reload reload;
    private final Duration settle;
    private byte[] lastSeen;
    private String lastProblem;
    private Vertx vertx;
    private long timer = -1;

    /**
     * @param log the owner's logger, so messages carry its category
     * @param what what the file is, for messages: "htpasswd", "middleware cloudfront: privatekey"
     * @param loaded the content in use now
     */
    public FileWatcher(Logger log, String what, Path file, byte[] loaded, Reload reload) {
        this(log, what, file, loaded, reload, SETTLE);
    }

    FileWatcher(Logger log, String what, Path file, byte[] loaded, Reload reload, Duration settle) {
        this.settle = settle;
        this.log = log;
        this.what = what;
        this.file = file;
        this.lastSeen = loaded;
        this.reload = reload;
    }

    public synchronized FileWatcher start(Vertx vertx, Duration interval) {
        this.vertx = vertx;
        timer = vertx.setPeriodic(interval.toMillis(), id -> vertx.executeBlocking(this::check, true));
        return this;
    }

    /** One poll, blocking: true when changed content was taken into use. */
    public synchronized boolean check() {
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
        try {
            // runs on a worker (or a test's thread), never on an event loop
            Thread.sleep(settle.toMillis());
            if (!Arrays.equals(content, Files.readAllBytes(file))) {
                return false; // still being written: the next poll looks again
            }
        } catch (IOException e) {
            report("cannot be read (" + e + ")");
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        lastSeen = content;
        try {
            reload.accept(content);
        } catch (Exception e) {
            report(String.valueOf(e.getMessage()));
            return false;
        }
        lastProblem = null;
        log.infof("%s %s changed; now in use", what, file);
        return true;
    }

    private void report(String problem) {
        if (!problem.equals(lastProblem)) {
            lastProblem = problem;
            log.errorf("%s %s: %s; keeping what was loaded before", what, file, problem);
        }
    }

    @Override
    public synchronized void close() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
    }
}
