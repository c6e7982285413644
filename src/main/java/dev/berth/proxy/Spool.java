package dev.berth.proxy;

import java.nio.file.Path;

import org.jboss.logging.Logger;

import dev.berth.registry.Digest;
import dev.berth.registry.DigestAlgorithm;
import dev.berth.registry.Digester;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.OpenOptions;
import io.vertx.mutiny.core.file.AsyncFile;
import io.vertx.mutiny.core.file.FileSystem;

/**
 * A fetched blob kept in a local file until storage has it: written once, at the pace of the
 * upstream read and hashed as it is, then read back by storage at storage's pace. Writes and reads
 * go through Vert.x's asynchronous file, never blocking an event loop. One writer, then one reader.
 */
final class Spool {
    private static final Logger LOG = Logger.getLogger(Spool.class);
    /** Bytes per read handed to storage. */
    static final int READ_SIZE = 1024 * 1024;

    private final FileSystem fs;
    private final String path;
    private final AsyncFile file;
    private final Digester digester;
    private volatile long written;

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

    /** Appends {@code buffer}; completes once it is written (the disk's pace). */
    Uni<Void> append(Buffer buffer) {
        digester.update(buffer);
        long at = written;
        return file.write(io.vertx.mutiny.core.buffer.Buffer.newInstance(buffer), at).invoke(() -> written = at + buffer.length());
    }

    Digest digest() {
        return digester.digest();
    }

    long length() {
        return digester.length();
    }

    /** Everything written, from the start, one read per request. */
    Multi<Buffer> read() {
        long end = written;
        long[] position = {0};
        return Multi.createBy().repeating().uni(() -> {
            int length = (int) Math.min(READ_SIZE, end - position[0]);
            Uni<Buffer> next = length == 0 ? Uni.createFrom().item(Buffer.buffer())
                    : file.read(io.vertx.mutiny.core.buffer.Buffer.buffer(length), 0, position[0], length)
                            .map(io.vertx.mutiny.core.buffer.Buffer::getDelegate);
            return next.invoke(b -> position[0] += b.length());
        }).until(b -> b.length() == 0);
    }

    /** Closes and removes the file; never fails. */
    Uni<Void> delete() {
        return file.close().onFailure().recoverWithNull()
                .chain(() -> fs.delete(path))
                .onFailure().invoke(e -> LOG.warnf("proxy: spool file %s not deleted: %s", path, e.getMessage()))
                .onFailure().recoverWithNull();
    }
}
