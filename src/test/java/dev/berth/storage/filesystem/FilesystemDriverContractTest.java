package dev.berth.storage.filesystem;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.berth.storage.PathNotFoundException;
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

    /** As a tag link written again while the tag's expiry removes its directory: the write lands, never "path not found". */
    @Test
    void aWriteLandsWhenItsDirectoryIsRemovedMeanwhile() throws Exception {
        StorageDriver driver = driver();
        byte[] link = "sha256:0123".getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < 300; i++) {
            CompletableFuture<Void> written = driver.putContent("/r/_manifests/tags/t/current/link", link).subscribeAsCompletionStage();
            CompletableFuture<Void> removed = driver.delete("/r/_manifests/tags/t").onFailure(PathNotFoundException.class).recoverWithNull()
                    .subscribeAsCompletionStage();
            removed.get(10, TimeUnit.SECONDS);
            written.get(10, TimeUnit.SECONDS);
        }
        driver.putContent("/r/_manifests/tags/t/current/link", link).await().atMost(Duration.ofSeconds(10));
        assertArrayEquals(link, driver.getContent("/r/_manifests/tags/t/current/link").await().atMost(Duration.ofSeconds(10)));
    }
}
