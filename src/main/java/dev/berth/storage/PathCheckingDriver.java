package dev.berth.storage;

import java.util.List;
import java.util.Optional;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;

import dev.berth.storage.middleware.DelegatingStorageDriver;

/** Distribution's "base" driver: checks every path once so drivers can trust them. */
final class PathCheckingDriver extends DelegatingStorageDriver {

    PathCheckingDriver(StorageDriver driver) {
        super(driver);
    }

    @Override
    public Uni<byte[]> getContent(String path) {
        return Uni.createFrom().deferred(() -> driver.getContent(PathRules.check(path)));
    }

    @Override
    public Uni<Void> putContent(String path, byte[] content) {
        return Uni.createFrom().deferred(() -> driver.putContent(PathRules.check(path), content));
    }

    @Override
    public Uni<Boolean> putContentIfAbsent(String path, byte[] content) {
        return Uni.createFrom().deferred(() -> driver.putContentIfAbsent(PathRules.check(path), content));
    }

    @Override
    public Multi<Buffer> read(String path, long offset, long length) {
        return Multi.createFrom().deferred(() -> driver.read(PathRules.check(path), offset, length));
    }

    @Override
    public Uni<FileWriter> writer(String path, boolean append) {
        return Uni.createFrom().deferred(() -> driver.writer(PathRules.check(path), append));
    }

    @Override
    public Uni<FileInfo> stat(String path) {
        return Uni.createFrom().deferred(() -> driver.stat(PathRules.checkDirectory(path)));
    }

    @Override
    public Uni<Optional<Long>> fileSize(String path) {
        return Uni.createFrom().deferred(() -> driver.fileSize(PathRules.check(path)));
    }

    @Override
    public Uni<List<String>> list(String path) {
        return Uni.createFrom().deferred(() -> driver.list(PathRules.checkDirectory(path)));
    }

    @Override
    public Uni<Void> move(String source, String destination) {
        return Uni.createFrom().deferred(() -> driver.move(PathRules.check(source), PathRules.check(destination)));
    }

    @Override
    public Uni<Void> place(String source, String destination, long size) {
        return Uni.createFrom().deferred(() -> driver.place(PathRules.check(source), PathRules.check(destination), size));
    }

    @Override
    public Uni<Void> delete(String path) {
        return Uni.createFrom().deferred(() -> driver.delete(PathRules.check(path)));
    }

    @Override
    public Uni<Void> deleteFiles(List<String> paths) {
        return Uni.createFrom().deferred(() -> driver.deleteFiles(paths.stream().map(PathRules::check).toList()));
    }

    @Override
    public Multi<FileInfo> walk(String path) {
        return Multi.createFrom().deferred(() -> driver.walk(PathRules.checkDirectory(path)));
    }

    @Override
    public Uni<Optional<String>> redirectUrl(RedirectRequest request, String path) {
        return Uni.createFrom().deferred(() -> driver.redirectUrl(request, PathRules.check(path)));
    }
}
