package dev.berth.storage.middleware;

import java.util.List;
import java.util.Optional;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;

import dev.berth.storage.FileInfo;
import dev.berth.storage.FileWriter;
import dev.berth.storage.RedirectRequest;
import dev.berth.storage.StorageDriver;

/**
 * Storage middleware base: every call goes to the wrapped driver, so a middleware overrides only
 * what it changes (usually {@link #redirectUrl}).
 */
public abstract class DelegatingStorageDriver implements StorageDriver {
    protected final StorageDriver driver;

    protected DelegatingStorageDriver(StorageDriver driver) {
        this.driver = driver;
    }

    @Override
    public String name() {
        return driver.name();
    }

    @Override
    public boolean publishesOnCommit() {
        return driver.publishesOnCommit();
    }

    @Override
    public Uni<byte[]> getContent(String path) {
        return driver.getContent(path);
    }

    @Override
    public Uni<Void> putContent(String path, byte[] content) {
        return driver.putContent(path, content);
    }

    @Override
    public Uni<Boolean> putContentIfAbsent(String path, byte[] content) {
        return driver.putContentIfAbsent(path, content);
    }

    @Override
    public Multi<Buffer> read(String path, long offset, long length) {
        return driver.read(path, offset, length);
    }

    @Override
    public Uni<FileWriter> writer(String path, boolean append) {
        return driver.writer(path, append);
    }

    @Override
    public Uni<FileInfo> stat(String path) {
        return driver.stat(path);
    }

    @Override
    public Uni<Optional<Long>> fileSize(String path) {
        return driver.fileSize(path);
    }

    @Override
    public Uni<List<String>> list(String path) {
        return driver.list(path);
    }

    @Override
    public Uni<Void> move(String source, String destination) {
        return driver.move(source, destination);
    }

    @Override
    public Uni<Void> place(String source, String destination, long size) {
        return driver.place(source, destination, size);
    }

    @Override
    public Uni<Void> delete(String path) {
        return driver.delete(path);
    }

    @Override
    public Uni<Void> deleteFiles(List<String> paths) {
        return driver.deleteFiles(paths);
    }

    @Override
    public Multi<FileInfo> walk(String path) {
        return driver.walk(path);
    }

    @Override
    public Uni<Optional<String>> redirectUrl(RedirectRequest request, String path) {
        return driver.redirectUrl(request, path);
    }

    @Override
    public <T> Optional<T> unwrap(Class<T> type) {
        return type.isInstance(this) ? Optional.of(type.cast(this)) : driver.unwrap(type);
    }
}
