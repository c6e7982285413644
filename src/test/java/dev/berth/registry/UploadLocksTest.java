package dev.berth.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.berth.storage.StorageDriver;
import dev.berth.storage.inmemory.InMemoryDriver;
import dev.berth.storage.middleware.DelegatingStorageDriver;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;

class UploadLocksTest {
    private static final Duration PATIENCE = Duration.ofSeconds(5);
    private static final String REPO = "library/locks";
    private static final String UUID = "0f9c5d8e-7a1b-4c2d-9e3f-1a2b3c4d5e6f";

    /** Holds every delete until the test opens the gate: a release caught half-way. */
    private final CompletableFuture<Void> deletesMayGo = new CompletableFuture<>();
    private Vertx vertx;
    private UploadLocks locks;

    @BeforeEach
    void setUp() {
        vertx = Vertx.vertx();
        locks = new UploadLocks();
        locks.vertx = vertx;
        locks.driver = new DelegatingStorageDriver(new InMemoryDriver()) {
            @Override
            public Uni<Void> delete(String path) {
                return Uni.createFrom().completionStage(deletesMayGo).chain(() -> driver.delete(path));
            }

            @Override
            public Uni<Void> deleteFiles(List<String> paths) {
                return Uni.createFrom().completionStage(deletesMayGo).chain(() -> driver.deleteFiles(paths));
            }
        };
    }

    @AfterEach
    void tearDown() {
        deletesMayGo.complete(null);
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @Test
    void aSecondRequestWhileTheLockIsHeldIsRefusedAsRangeInvalid() {
        locks.acquire(REPO, UUID).await().atMost(PATIENCE);
        RegistryException busy = assertThrows(RegistryException.class, () -> locks.acquire(REPO, UUID).await().atMost(PATIENCE));
        assertEquals(ErrorCode.RANGE_INVALID, busy.code());
    }

    @Test
    void aRequestArrivingWhileTheHolderLetsGoWaitsAndThenHoldsTheLock() throws Exception {
        UploadLocks.Lock first = locks.acquire(REPO, UUID).await().atMost(PATIENCE);
        CompletableFuture<Void> released = first.release().subscribeAsCompletionStage();
        CompletableFuture<UploadLocks.Lock> next = locks.acquire(REPO, UUID).subscribeAsCompletionStage();
        Thread.sleep(200);
        assertFalse(next.isDone(), "the next request was answered before the lock was released");

        deletesMayGo.complete(null);
        released.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        UploadLocks.Lock second = next.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        StorageDriver storage = locks.driver;
        assertTrue(storage.stat(StoragePaths.uploadLock(REPO, UUID)).map(info -> true).await().atMost(PATIENCE),
                "the waiting request holds the lock in storage");
        second.release().await().atMost(PATIENCE);
    }

    @Test
    void aCompletedUploadIsUnknownWhileItIsRemovedAndARequestThenWaitsForTheRelease() throws Exception {
        UploadLocks.Lock lock = locks.acquire(REPO, UUID).await().atMost(PATIENCE);
        assertFalse(locks.completed(UUID), "an upload being written is not complete");
        lock.finishing();
        assertTrue(locks.completed(UUID));
        CompletableFuture<UploadLocks.Lock> next = locks.acquire(REPO, UUID).subscribeAsCompletionStage();
        CompletableFuture<Void> released = lock.release().subscribeAsCompletionStage();
        Thread.sleep(200);
        assertFalse(next.isDone(), "a request was let in before the completed upload's lock was released");

        deletesMayGo.complete(null);
        released.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        UploadLocks.Lock after = next.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        assertFalse(locks.completed(UUID), "the release ends the completion");
        after.release().await().atMost(PATIENCE);
    }
}
