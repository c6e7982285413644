package dev.berth.storage.filesystem;

import java.nio.file.Path;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.berth.config.StorageConfig;
import dev.berth.storage.StorageDriver;
import dev.berth.storage.StorageDriverFactory;
import io.vertx.mutiny.core.Vertx;

@ApplicationScoped
public class FilesystemDriverFactory implements StorageDriverFactory {
    @Inject
    Vertx vertx;
    @Inject
    StorageConfig config;

    @Override
    public String name() {
        return "filesystem";
    }

    @Override
    public StorageDriver create() {
        String root = config.filesystem().map(StorageConfig.Filesystem::rootdirectory).orElse("/var/lib/registry");
        return new FilesystemDriver(vertx, Path.of(root));
    }
}
