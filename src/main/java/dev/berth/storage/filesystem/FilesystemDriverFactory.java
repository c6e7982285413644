package dev.berth.storage.filesystem;

import java.nio.file.Path;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.berth.config.OptionReader;
import dev.berth.config.StorageConfig;
import dev.berth.storage.StorageDriver;
import dev.berth.storage.StorageDriverFactory;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.vertx.mutiny.core.Vertx;

/** The filesystem driver; also built by ServiceLoader (see {@link StorageDriverFactory}), hence registered for reflection. */
@ApplicationScoped
@RegisterForReflection(fields = false, methods = false)
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
    public void validate(OptionReader options) {
        if (options.has("rootdirectory") && options.string("rootdirectory").isEmpty()) {
            throw options.fail("rootdirectory", "must not be empty", "");
        }
        options.number("maxthreads", 100, 25, Integer.MAX_VALUE);
    }

    @Override
    public StorageDriver create() {
        Path root = Path.of(config.filesystem().map(StorageConfig.Filesystem::rootdirectory).orElse("/var/lib/registry"));
        // a root Berth cannot write stops startup with the fix, rather than failing every push; read-only
        // maintenance mode writes nothing, so there a read-only mount is what is meant
        if (!config.maintenance().readonly().enabled()) {
            RootDirectoryCheck.requireWritable(root);
        }
        return new FilesystemDriver(vertx, root);
    }
}
