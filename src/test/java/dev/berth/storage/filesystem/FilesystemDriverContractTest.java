package dev.berth.storage.filesystem;

import java.nio.file.Path;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import dev.berth.storage.StorageDriver;
import dev.berth.storage.StorageDriverContract;
import io.vertx.mutiny.core.Vertx;

class FilesystemDriverContractTest extends StorageDriverContract {
    private static Vertx vertx;

    @TempDir
    Path dir;

    @BeforeAll
    static void startVertx() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stopVertx() {
        vertx.closeAndAwait();
    }

    @Override
    protected StorageDriver driver() {
        return pathChecked(new FilesystemDriver(vertx, dir));
    }
}
