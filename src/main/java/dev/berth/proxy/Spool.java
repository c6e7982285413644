package dev.berth.proxy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.zip.CRC32C;

import org.jboss.logging.Logger;

import dev.berth.registry.Digest;
import dev.berth.registry.DigestAlgorithm;
import dev.berth.registry.Digester;
import io.netty.buffer.Unpooled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.smallrye.mutiny.unchecked.Unchecked;
import io.smallrye.mutiny.unchecked.UncheckedSupplier;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

/**
 * A fetched blob kept in a local file until storage has it: written once, at the pace of the
 * upstream read and hashed as it is, and read by storage at storage's pace and by the clients that
 * asked for the blob while it was being fetched, each at its own. One writer, any number of readers.
 *
 * <p>Every file operation is one task on a worker thread, never on an event loop. An append hashes
 * and writes its buffer in one task, piece by piece: Vert.x's asynchronous file would send each
 * piece of a joined buffer to a thread of its own, and hashing there keeps the event loop free
 * for the client.
 *
 * <p>Readers get only what the writer released: everything but the last buffer written until the
 * digest over the whole body is verified, so no reader ever has the whole of a wrong blob. The file
 * is removed once its owner is done with it and the last reader has left.
 *
 * <p>The bytes are hashed once, as they are written. What a reader reads back is checked against a
 * CRC32C of what was written (a tenth of SHA-256's cost, on the CPU's CRC instruction), before its
 * last bytes are handed on: a file changed or cut after it was written fails the reader, so storage
 * can take the verified digest for the bytes it reads without hashing them again.
 *
 * <p>A spool file is locked while it is open, so the files of a process that was killed can be told
 * from those of a live one sharing the directory ({@link StaleSpools}).
 */
final class Spool {
    private static final Logger LOG = Logger.getLogger(Spool.class);
    /** Bytes per read handed to a reader. */
    static final int READ_SIZE = 256 * 1024;
    /** A spool file's name: PREFIX, a random number, SUFFIX. */
    static final String PREFIX = "berth-spool-";
    static final String SUFFIX = ".blob";

    private final io.vertx.mutiny.core.Vertx vertx;
    private final Path path;
    private final FileChannel file;
    /** Used by one append at a time, each after the last. */
    private final Digester digester;
    /** Of the bytes written, for readers to check theirs against; used as the digester is. */
    private final CRC32C checksum = new CRC32C();
    private volatile long written;
    /** The last append queued, set by the one writer on its context: each starts once the one before it is written. */
    private CompletableFuture<Void> appended = CompletableFuture.completedFuture(null);

    // what readers may take and how the fill ended, and who still reads: guarded by this
    private long released;
    private boolean verified;
    /** The written bytes' CRC32C, once verified. */
    private long verifiedChecksum;
    private Throwable failure;
    private final List<Runnable> waiting = new ArrayList<>();
    private int readers;
    private boolean ownerDone;

    private Spool(io.vertx.mutiny.core.Vertx vertx, Path path, FileChannel file, DigestAlgorithm algorithm) {
        this.vertx = vertx;
        this.path = path;
        this.file = file;
        this.digester = Digester.start(algorithm);
    }

    /** A new empty spool file in {@code directory}, hashed with {@code algorithm}. */
    static Uni<Spool> create(Vertx vertx, Path directory, DigestAlgorithm algorithm) {
        io.vertx.mutiny.core.Vertx mutinyVertx = io.vertx.mutiny.core.Vertx.newInstance(vertx);
        return blocking(mutinyVertx, () -> {
            Path path = Files.createTempFile(directory, PREFIX, SUFFIX);
            FileChannel file = null;
            try {
                file = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
                // held until the channel closes, or the process dies; a fresh file is never another's to lock
                if (file.tryLock() == null) {
                    throw new IOException("spool file " + path + " is locked by another process");
                }
                return new Spool(mutinyVertx, path, file, algorithm);
            } catch (IOException | RuntimeException e) {
                try (FileChannel opened = file) {
                    Files.deleteIfExists(path);
                } catch (IOException | RuntimeException cleanup) {
                    e.addSuppressed(cleanup);
                }
                throw e;
            }
        });
    }

    /**
     * Queues {@code buffer} to be hashed and written after the appends before it; completes once the one
     * before it is written, so the caller's next read overlaps this one's hash and write, and at most two
     * buffers are held. Readers may then take everything before it: the last is held back until {@link #verified()}.
     */
    Uni<Void> append(Buffer buffer) {
        CompletableFuture<Void> before = appended;
        appended = Uni.createFrom().completionStage(before).chain(() -> write(buffer)).subscribeAsCompletionStage();
        return Uni.createFrom().completionStage(before.copy());
    }

    /** Completes once every append is written; fails as the first failed one did. */
    Uni<Void> appended() {
        return Uni.createFrom().completionStage(appended.copy());
    }

    private Uni<Void> write(Buffer buffer) {
        long at = written;
        return blocking(vertx, () -> {
            digester.update(buffer);
            long position = at;
            for (ByteBuffer piece : buffer.getByteBuf().nioBuffers()) {
                checksum.update(piece.duplicate());
                while (piece.hasRemaining()) {
                    position += file.write(piece, position);
                }
            }
            return position;
        }).invoke(end -> {
            written = end;
            settle(() -> released = at);
        }).replaceWithVoid();
    }

    /** The whole body is written ({@link #appended()}) and its digest is the one asked for: readers may take all of it. */
    void verified() {
        settle(() -> {
            released = written;
            verified = true;
            verifiedChecksum = checksum.getValue();
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
     * released beyond what was read, and the stream ends once the blob is verified and all read. The
     * read that reaches the end fails instead when the bytes read are not the bytes written.
     */
    Multi<Buffer> read() {
        long[] position = {0};
        CRC32C read = new CRC32C(); // each read after the one before it, on some worker thread
        return Multi.createBy().repeating().uni(() -> released(position[0]).chain(until -> {
            int length = (int) Math.min(READ_SIZE, until - position[0]);
            long at = position[0];
            return length == 0 ? Uni.createFrom().item(Buffer.buffer()) : blocking(vertx, () -> checked(readAt(at, length), at + length, read));
        }).invoke(b -> position[0] += b.length())).until(b -> b.length() == 0);
    }

    private byte[] readAt(long position, int length) throws IOException {
        ByteBuffer bytes = ByteBuffer.allocate(length);
        while (bytes.hasRemaining()) {
            if (file.read(bytes, position + bytes.position()) < 0) {
                throw new IllegalStateException("spool file " + path + " ended at " + (position + bytes.position()));
            }
        }
        return bytes.array();
    }

    /** {@code bytes}, read up to {@code end}, into the reader's checksum; at the verified end, compared with the writer's. */
    private Buffer checked(byte[] bytes, long end, CRC32C read) {
        read.update(bytes);
        boolean atTheEnd;
        long expected;
        synchronized (this) {
            atTheEnd = verified && end == released;
            expected = verifiedChecksum;
        }
        if (atTheEnd && read.getValue() != expected) {
            throw new IllegalStateException("spool file " + path + " changed after it was written: its bytes no longer match the blob's");
        }
        return Buffer.buffer(Unpooled.wrappedBuffer(bytes));
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
        return blocking(vertx, () -> {
            try (FileChannel closed = file) {
                Files.delete(path);
            }
            return null;
        }).replaceWithVoid()
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

    /** {@code task} on a worker thread, its outcome back on the caller's context. */
    private static <T> Uni<T> blocking(io.vertx.mutiny.core.Vertx vertx, UncheckedSupplier<T> task) {
        return vertx.executeBlocking(Uni.createFrom().item(Unchecked.supplier(task)), false);
    }
}
