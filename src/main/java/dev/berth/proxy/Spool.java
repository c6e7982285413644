package dev.berth.proxy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.jboss.logging.Logger;

import dev.berth.registry.Digest;
import dev.berth.registry.DigestAlgorithm;
import dev.berth.registry.Digester;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.OpenOptions;
import io.vertx.mutiny.core.file.AsyncFile;
import io.vertx.mutiny.core.file.FileSystem;

/**
 * A fetched blob kept in a local file until storage has it: written once, at the pace of the
 * upstream read and hashed as it is, and read by storage at storage's pace and by the clients that
 * asked for the blob while it was being fetched, each at its own. Writes and reads go through
 * Vert.x's asynchronous file, never blocking an event loop. One writer, any number of readers.
 *
 * <p>Readers get only what the writer released: everything but the last buffer written until the
 * digest over the whole body is verified, so no reader ever has the whole of a wrong blob. The file
 * is removed once its owner is done with it and the last reader has left.
 */
final class Spool {
    private static final Logger LOG = Logger.getLogger(Spool.class);
    /** Bytes per read handed to a reader. */
    static final int READ_SIZE = 1024 * 1024;

    private final FileSystem fs;
    private final String path;
    private final AsyncFile file;
    private final Digester digester;
    private volatile long written;

    // what readers may take and how the fill ended, and who still reads: guarded by this
    private long released;
    private boolean verified;
    private Throwable failure;
    private final List<Runnable> waiting = new ArrayList<>();
    private int readers;
    private boolean ownerDone;

    private Spool(FileSystem fs, String path, AsyncFile file, DigestAlgorithm algorithm) {
        this.fs = fs;
        this.path = path;
        this.file = file;
        this.digester = Digester.start(algorithm);
    }

    /** A new empty spool file in {@code directory}, hashed with {@code algorithm}. */
    static Uni<Spool> create(Vertx vertx, Path directory, DigestAlgorithm algorithm) {
        FileSystem fs = io.vertx.mutiny.core.Vertx.newInstance(vertx).fileSystem();
        return fs.createTempFile(directory.toString(), "berth-spool-", ".blob", (String) null)
                .chain(path -> fs.open(path, new OpenOptions().setRead(true).setWrite(true).setCreate(false))
                        .map(file -> new Spool(fs, path, file, algorithm))
                        .onFailure().call(() -> fs.delete(path).onFailure().recoverWithNull()));
    }

    /**
     * Appends {@code buffer}; completes once it is written (the disk's pace). Readers may then take
     * everything before it: it is held back until {@link #verified()}.
     */
    Uni<Void> append(Buffer buffer) {
        digester.update(buffer);
        long at = written;
        return file.write(io.vertx.mutiny.core.buffer.Buffer.newInstance(buffer), at).invoke(() -> {
            written = at + buffer.length();
            settle(() -> released = at);
        });
    }

    /** The whole body is written and its digest is the one asked for: readers may take all of it. */
    void verified() {
        settle(() -> {
            released = written;
            verified = true;
        });
    }

    /** The fill failed: readers fail with {@code cause} at their next read. */
    void failed(Throwable cause) {
        settle(() -> failure = cause);
    }

    Digest digest() {
        return digester.digest();
    }

    long length() {
        return digester.length();
    }

    /** Takes a reader in; false when the fill failed or the owner is done, and the file may be gone. */
    synchronized boolean join() {
        if (ownerDone || failure != null) {
            return false;
        }
        readers++;
        return true;
    }

    /** A reader {@link #join() taken in} is done; the last one out removes the file if its owner is done. */
    void leave() {
        boolean last;
        synchronized (this) {
            readers--;
            last = readers == 0 && ownerDone;
        }
        if (last) {
            remove().subscribe().with(v -> {
            });
        }
    }

    /**
     * Everything the writer releases, from the start, one read per request: a read waits for bytes
     * released beyond what was read, and the stream ends once the blob is verified and all read.
     */
    Multi<Buffer> read() {
        long[] position = {0};
        return Multi.createBy().repeating().uni(() -> released(position[0]).chain(until -> {
            int length = (int) Math.min(READ_SIZE, until - position[0]);
            return length == 0 ? Uni.createFrom().item(Buffer.buffer())
                    : file.read(io.vertx.mutiny.core.buffer.Buffer.buffer(length), 0, position[0], length)
                            .map(io.vertx.mutiny.core.buffer.Buffer::getDelegate)
                            .invoke(b -> {
                                if (b.length() != length) {
                                    throw new IllegalStateException("spool file " + path + " ended at " + (position[0] + b.length()));
                                }
                            });
        }).invoke(b -> position[0] += b.length())).until(b -> b.length() == 0);
    }

    /** The owner is done (the blob stored, or the fill failed): removes the file once no reader is left; never fails. */
    Uni<Void> delete() {
        synchronized (this) {
            ownerDone = true;
            if (readers > 0) {
                return Uni.createFrom().voidItem();
            }
        }
        return remove();
    }

    private Uni<Void> remove() {
        return file.close().onFailure().recoverWithNull()
                .chain(() -> fs.delete(path))
                .onFailure().invoke(e -> LOG.warnf("proxy: spool file %s not deleted: %s", path, e.getMessage()))
                .onFailure().recoverWithNull();
    }

    /** Completes with how far readers may read once that is beyond {@code position}, or the fill is verified; fails with the fill. */
    private Uni<Long> released(long position) {
        return Uni.createFrom().emitter(emitter -> whenReleased(position, emitter));
    }

    private void whenReleased(long position, UniEmitter<? super Long> emitter) {
        Throwable failed;
        long until;
        synchronized (this) {
            failed = failure;
            until = released;
            if (failed == null && until <= position && !verified) {
                waiting.add(() -> whenReleased(position, emitter));
                return;
            }
        }
        if (failed != null) {
            emitter.fail(failed);
        } else {
            emitter.complete(until);
        }
    }

    /** Changes what readers see and wakes those waiting, outside the lock. */
    private void settle(Runnable change) {
        List<Runnable> woken;
        synchronized (this) {
            change.run();
            woken = List.copyOf(waiting);
            waiting.clear();
        }
        woken.forEach(Runnable::run);
    }
}
