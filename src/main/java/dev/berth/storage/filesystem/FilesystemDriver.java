package dev.berth.storage.filesystem;

import java.io.File;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import dev.berth.storage.FileInfo;
import dev.berth.storage.FileWriter;
import dev.berth.storage.LocalFiles;
import dev.berth.storage.PathNotFoundException;
import dev.berth.storage.PathRules;
import dev.berth.storage.StorageDriver;
import dev.berth.storage.StorageException;
import dev.berth.storage.StorageRefusedException;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.mutiny.vertx.UniHelper;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.CopyOptions;
import io.vertx.core.file.OpenOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.file.AsyncFile;
import io.vertx.mutiny.core.file.FileSystem;

/**
 * Files under {@code rootdirectory}, through Vert.x's asynchronous file system (its blocking I/O
 * runs on Vert.x's internal pool, never on the event loop). Small files are written to a temporary
 * name and renamed, and blobs arrive by rename, so a crash never leaves a half file visible.
 */
public final class FilesystemDriver implements StorageDriver, LocalFiles {
    /**
     * Bytes per read of a streamed file: each read is a hop to a worker thread and one item through
     * Mutiny and the response, so Vert.x's default 8 KiB capped a download at a few dozen MB/s.
     */
    static final int READ_BUFFER = 256 * 1024;
    /** Writes made again when a concurrent delete removed their directory meanwhile; a path below a file fails at once after them. */
    private static final int VANISHED_DIRECTORY_RETRIES = 3;

    private final Path root;
    private final FileSystem fs;

    public FilesystemDriver(Vertx vertx, Path root) {
        this.root = root.toAbsolutePath().normalize();
        this.fs = vertx.fileSystem();
    }

    @Override
    public String name() {
        return "filesystem";
    }

    private String full(String path) {
        return "/".equals(path) ? root.toString() : root.resolve(path.substring(1)).toString();
    }

    @Override
    public String localFile(String path) {
        return full(PathRules.check(path));
    }

    private String storagePath(Path file) {
        Path rel = root.relativize(file);
        return "/" + rel.toString().replace(File.separatorChar, '/');
    }

    @Override
    public Uni<byte[]> getContent(String path) {
        return fs.readFile(full(path)).map(b -> b.getDelegate().getBytes()).onFailure().transform(e -> translateRead(e, path));
    }

    @Override
    public Uni<Void> putContent(String path, byte[] content) {
        return viaTemporaryFile(path, content, (temp, target) -> fs.move(temp, target,
                new CopyOptions().setReplaceExisting(true).setAtomicMove(true)).replaceWith(true)).replaceWithVoid();
    }

    @Override
    public Uni<Boolean> putContentIfAbsent(String path, byte[] content) {
        // link() is the filesystem's atomic create-if-absent
        return viaTemporaryFile(path, content, (temp, target) -> fs.link(target, temp).replaceWith(true)
                .onFailure(e -> e instanceof FileAlreadyExistsException || e.getCause() instanceof FileAlreadyExistsException)
                .recoverWithItem(false));
    }

    /**
     * Writes {@code content} to a temporary name beside {@code path}, then lets {@code publish} make it
     * appear at the path whole; the temporary name is gone after, whatever happened. A directory that a
     * concurrent delete removed after it was made (a tag's expiry while the tag is written again) is made again.
     */
    private Uni<Boolean> viaTemporaryFile(String path, byte[] content, BiFunction<String, String, Uni<Boolean>> publish) {
        return viaTemporaryFile(path, content, publish, VANISHED_DIRECTORY_RETRIES);
    }

    private Uni<Boolean> viaTemporaryFile(String path, byte[] content, BiFunction<String, String, Uni<Boolean>> publish, int retries) {
        String target = full(path);
        String temp = target + "." + UUID.randomUUID() + ".tmp";
        return mkdirsFor(target)
                .chain(() -> fs.writeFile(temp, io.vertx.mutiny.core.buffer.Buffer.buffer(content)))
                .chain(() -> publish.apply(temp, target))
                .eventually(() -> fs.delete(temp).onFailure().recoverWithNull())
                .onFailure().transform(e -> translate(e, path))
                .onFailure(e -> e instanceof PathNotFoundException && retries > 0)
                .recoverWithUni(() -> viaTemporaryFile(path, content, publish, retries - 1));
    }

    @Override
    public Multi<Buffer> read(String path, long offset, long length) {
        return Multi.createFrom().deferred(() -> {
            OpenFile opened = new OpenFile();
            // the raw future, not a Uni: a Uni drops the file when the reader cancels while it opens
            var opening = fs.getDelegate().open(full(path), new OpenOptions().setRead(true).setWrite(false).setCreate(false))
                    .map(AsyncFile::newInstance)
                    .onSuccess(opened::set);
            return UniHelper.toUni(opening)
                    .onFailure().transform(e -> translateRead(e, path))
                    .onItem().transformToMulti(file -> {
                        file.setReadBufferSize(READ_BUFFER);
                        file.setReadPos(Math.max(0, offset));
                        if (length >= 0) {
                            file.setReadLength(length);
                        }
                        return file.toMulti().map(io.vertx.mutiny.core.buffer.Buffer::getDelegate)
                                .onFailure().transform(e -> translateRead(e, path));
                    })
                    // completion, failure, and a reader that went away (a client hanging up mid-download)
                    .onTermination().invoke(opened::close);
        });
    }

    /** The file of one read, closed exactly once: when the read ends, or as soon as it opens if the read ended first. */
    private static final class OpenFile {
        private final AtomicReference<AsyncFile> file = new AtomicReference<>();
        private volatile boolean closed;

        void set(AsyncFile opened) {
            file.set(opened);
            if (closed) {
                closeNow();
            }
        }

        void close() {
            closed = true;
            closeNow();
        }

        private void closeNow() {
            AsyncFile open = file.getAndSet(null);
            if (open != null) {
                // a read still in flight fails with AsynchronousCloseException, which nobody waits for any more
                open.exceptionHandler(ignored -> { });
                open.closeAndForget();
            }
        }
    }

    @Override
    public Uni<FileWriter> writer(String path, boolean append) {
        String target = full(path);
        Uni<Void> ready = append
                ? fs.exists(target).map(exists -> {
                    if (!exists) {
                        throw new PathNotFoundException(path);
                    }
                    return null;
                }).replaceWithVoid()
                : mkdirsFor(target);
        OpenOptions options = new OpenOptions().setWrite(true).setCreate(!append).setAppend(append)
                .setTruncateExisting(!append);
        return ready.chain(() -> fs.open(target, options))
                .chain(file -> fs.props(target).map(props -> (FileWriter) new FilesystemWriter(path, target, file, props.size())))
                .onFailure().transform(e -> translate(e, path));
    }

    private final class FilesystemWriter implements FileWriter {
        private final String path;
        private final String target;
        private final AsyncFile file;
        private volatile long size;

        FilesystemWriter(String path, String target, AsyncFile file, long size) {
            this.path = path;
            this.target = target;
            this.file = file;
            this.size = size;
        }

        @Override
        public long size() {
            return size;
        }

        @Override
        public Uni<Long> write(Multi<Buffer> data) {
            long before = size;
            // one write in flight at a time: demand follows the disk
            return data.onItem().transformToUniAndConcatenate(buffer -> file.write(io.vertx.mutiny.core.buffer.Buffer.newInstance(buffer))
                    .invoke(() -> size += buffer.length()))
                    .collect().last()
                    .map(ignored -> size - before)
                    .onFailure().transform(e -> translate(e, path));
        }

        @Override
        public Uni<Void> close() {
            // the descriptor is released even when the flush fails (a full disk, a failed write before)
            return file.flush().onFailure().call(e -> file.close().onFailure().recoverWithNull())
                    .chain(file::close).onFailure().transform(e -> translate(e, path));
        }

        @Override
        public Uni<Void> commit() {
            return close();
        }

        @Override
        public Uni<Void> cancel() {
            return file.close().onFailure().recoverWithNull().chain(() -> fs.delete(target))
                    .onFailure().transform(e -> translate(e, path));
        }
    }

    @Override
    public Uni<FileInfo> stat(String path) {
        return fs.props(full(path))
                .map(p -> new FileInfo(path, p.isDirectory() ? 0 : p.size(), Instant.ofEpochMilli(p.lastModifiedTime()), p.isDirectory()))
                .onFailure().transform(e -> translate(e, path));
    }

    @Override
    public Uni<List<String>> list(String path) {
        Path dir = Path.of(full(path));
        // java.nio tells a missing directory apart (Vert.x's readDir does not); blocking, so on a worker
        return Uni.createFrom().item(() -> {
            try (Stream<Path> children = Files.list(dir)) {
                return children.filter(p -> !p.getFileName().toString().endsWith(".tmp"))
                        .map(this::storagePath)
                        .sorted()
                        .toList();
            } catch (NoSuchFileException | NotDirectoryException e) {
                throw new PathNotFoundException(path);
            } catch (IOException e) {
                throw new StorageException("list " + path + ": " + e.getMessage(), e);
            }
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    @Override
    public Uni<Void> move(String source, String destination) {
        String target = full(destination);
        return mkdirsFor(target)
                .chain(() -> fs.move(full(source), target, new CopyOptions().setReplaceExisting(true).setAtomicMove(true)))
                .onFailure().transform(e -> translate(e, source));
    }

    @Override
    public Uni<Void> delete(String path) {
        return fs.deleteRecursive(full(path), true).onFailure().transform(e -> translate(e, path));
    }

    /** Deletes the files, then each directory that became empty, up to the root (registry:2's GC leaves them behind). */
    @Override
    public Uni<Void> deleteFiles(List<String> paths) {
        return Multi.createFrom().iterable(paths)
                .onItem().transformToUni(p -> delete(p).onFailure(PathNotFoundException.class).recoverWithNull()
                        .chain(() -> removeEmptyParents(p)))
                .merge(DELETE_CONCURRENCY)
                .collect().last().replaceWithVoid();
    }

    /** Removes the parent of {@code path} while it is empty; a directory that is not (or is gone) ends it. */
    private Uni<Void> removeEmptyParents(String path) {
        int slash = path.lastIndexOf('/');
        if (slash <= 0) {
            return Uni.createFrom().voidItem();
        }
        String parent = path.substring(0, slash);
        // a non-recursive delete fails on a directory that is not empty: that is the check
        return fs.delete(full(parent)).replaceWith(true).onFailure().recoverWithItem(false)
                .chain(removed -> removed ? removeEmptyParents(parent) : Uni.createFrom().voidItem());
    }

    @Override
    public Multi<FileInfo> walk(String path) {
        Path start = Path.of(full(path));
        // Files.walk blocks; it runs on a worker thread, never the event loop
        return Uni.createFrom().item(() -> {
            List<FileInfo> out = new ArrayList<>();
            // a file, or a path below one, is no directory to walk, as the other drivers (and Distribution's walk, which lists) answer
            if (!Files.isDirectory(start)) {
                throw new PathNotFoundException(path);
            }
            try (Stream<Path> paths = Files.walk(start)) {
                paths.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().endsWith(".tmp"))
                        .sorted()
                        .forEach(p -> {
                            try {
                                out.add(new FileInfo(storagePath(p), Files.size(p),
                                        Files.getLastModifiedTime(p).toInstant(), false));
                            } catch (IOException e) {
                                // vanished while walking: not part of the listing
                            }
                        });
            } catch (NoSuchFileException e) {
                throw new PathNotFoundException(path);
            } catch (IOException e) {
                throw new StorageException("walk " + path + ": " + e.getMessage(), e);
            }
            return out;
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .onItem().transformToMulti(list -> Multi.createFrom().iterable(list));
    }

    private Uni<Void> mkdirsFor(String target) {
        return fs.mkdirs(Path.of(target).getParent().toString()).onFailure().recoverWithUni(e ->
                // a concurrent mkdirs of the same tree is fine
                fs.exists(Path.of(target).getParent().toString()).map(exists -> {
                    if (!exists) {
                        throw new StorageException("cannot create directory for " + target, e);
                    }
                    return null;
                })).replaceWithVoid();
    }

    /** As {@link #translate}, and a directory read as a file is no file there, as the other drivers answer. */
    static Throwable translateRead(Throwable e, String path) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof IOException && c.getMessage() != null && c.getMessage().contains("Is a directory")) {
                return new PathNotFoundException(path);
            }
        }
        return translate(e, path);
    }

    static Throwable translate(Throwable e, String path) {
        // a full, read-only or forbidden disk: even when wrapped in a StorageException (mkdirsFor)
        Optional<StorageRefusedException> refused = StorageRefusedException.ofFileSystem(e, "filesystem: " + path);
        if (refused.isPresent()) {
            return refused.get();
        }
        if (e instanceof StorageException) {
            return e;
        }
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof NoSuchFileException || c instanceof FileNotFoundException
                    || c instanceof NotDirectoryException) {
                return new PathNotFoundException(path);
            }
            // a path below a file ("/a/file/x"): ENOTDIR, which Java reports without a subclass
            if (c instanceof FileSystemException fse && "Not a directory".equals(fse.getReason())) {
                return new PathNotFoundException(path);
            }

        }
        return new StorageException("filesystem: " + path + ": " + e.getMessage(), e);
    }
}
