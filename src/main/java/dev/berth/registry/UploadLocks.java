package dev.berth.registry;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import dev.berth.storage.PathNotFoundException;
import dev.berth.storage.StorageDriver;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;

/**
 * One writer per upload at a time, on this replica and across every replica sharing the storage.
 * A request that appends to or completes an upload holds the lock from before it opens the upload's
 * data until it has closed it, so no two requests interleave bytes or hash states, and completion
 * moves data that no other request can still write to. The lock is an object created with the
 * storage's own create-if-absent; it is a lease, renewed while held, so a lock left by a killed
 * replica expires and the upload can be continued elsewhere.
 */
@ApplicationScoped
public class UploadLocks {
    private static final Logger LOG = Logger.getLogger(UploadLocks.class);
    /** Long enough to be renewed three times over while held; how long a killed replica blocks its uploads. */
    static final Duration LEASE = Duration.ofSeconds(30);

    @Inject
    StorageDriver driver;
    @Inject
    Vertx vertx;

    /** Names this process in lock objects, for operators reading them. */
    private final String owner = UUID.randomUUID().toString();
    /** Locks held here: a second request on this replica is refused without a storage call. */
    private final Map<String, Holding> held = new ConcurrentHashMap<>();

    /** This replica's claim on one upload, from before the storage lock is taken until after it is deleted. */
    private static final class Holding {
        /** Set once the holder lets go: a request arriving now waits for {@link #freed} instead of being refused. */
        volatile boolean releasing;
        /** Set once the upload is complete and only its removal is left: it is gone for every new request. */
        volatile boolean completed;
        final CompletableFuture<Void> freed = new CompletableFuture<>();

        void free(Map<String, Holding> held, String uuid) {
            held.remove(uuid, this);
            freed.complete(null);
        }
    }

    /** A held lock; {@link #release()} on every path, once. */
    public final class Lock {
        private final String uuid;
        private final String path;
        private final Holding holding;
        private final long timer;
        private volatile Uni<Void> renewing = Uni.createFrom().voidItem();
        private volatile boolean released;

        private Lock(String uuid, String path, Holding holding) {
            this.uuid = uuid;
            this.path = path;
            this.holding = holding;
            long period = LEASE.toMillis() / 3;
            this.timer = vertx.setPeriodic(period, period, id -> renew());
        }

        private void renew() {
            if (!released) {
                renewing = driver.putContent(path, content()).memoize().indefinitely();
                renewing.subscribe().with(ok -> { }, e -> LOG.warnf("upload %s: lock not renewed: %s", uuid, e.getMessage()));
            }
        }

        /** The holder only removes what is left of the upload: a request arriving now waits for the release instead of being refused. */
        public void finishing() {
            holding.completed = true;
            holding.releasing = true;
        }

        /** Frees the upload for the next request; the lock object may already be gone with the upload. */
        public Uni<Void> release() {
            if (released) {
                return Uni.createFrom().voidItem();
            }
            released = true;
            holding.releasing = true;
            vertx.cancelTimer(timer);
            return renewing.onFailure().recoverWithNull()
                    // a file, never a directory: one delete, without listing the path first
                    .chain(() -> driver.deleteFiles(List.of(path)))
                    .onFailure().invoke(e -> LOG.warnf("upload %s: lock object not deleted (it expires): %s", uuid, e.getMessage()))
                    .onFailure().recoverWithNull()
                    .eventually(() -> holding.free(held, uuid));
        }
    }

    /** Whether the upload was completed here and is being removed: already unknown to new requests. */
    public boolean completed(String uuid) {
        Holding holding = held.get(uuid);
        return holding != null && holding.completed;
    }

    /**
     * Takes the upload's lock, or fails with 416 RANGE_INVALID when another request holds it. A request
     * that comes while this replica's holder is letting go (a client resuming at once after a cut) waits
     * for the release instead of being refused.
     */
    public Uni<Lock> acquire(String repository, String uuid) {
        return acquire(repository, uuid, true);
    }

    private Uni<Lock> acquire(String repository, String uuid, boolean mayWait) {
        Holding holding = new Holding();
        Holding other = held.putIfAbsent(uuid, holding);
        if (other != null) {
            return other.releasing && mayWait
                    ? Uni.createFrom().completionStage(other.freed).chain(() -> acquire(repository, uuid, false))
                    : Uni.createFrom().failure(busy(uuid));
        }
        String path = StoragePaths.uploadLock(repository, uuid);
        return driver.putContentIfAbsent(path, content())
                .chain(created -> created ? Uni.createFrom().item(true) : takeOverExpired(path))
                .map(created -> {
                    if (!created) {
                        throw busy(uuid);
                    }
                    return new Lock(uuid, path, holding);
                })
                .onFailure().invoke(() -> holding.free(held, uuid));
    }

    /** A lock whose lease ran out was left by a replica that died: delete it and try once more. */
    private Uni<Boolean> takeOverExpired(String path) {
        return driver.getContent(path)
                .map(bytes -> expired(new String(bytes, StandardCharsets.UTF_8)))
                .onFailure(PathNotFoundException.class).recoverWithItem(true)
                .chain(expired -> {
                    if (!expired) {
                        return Uni.createFrom().item(false);
                    }
                    LOG.infof("taking over expired upload lock %s", path);
                    return Links.deleteIfPresent(driver, path).chain(() -> driver.putContentIfAbsent(path, content()));
                });
    }

    private byte[] content() {
        return (owner + " " + (System.currentTimeMillis() + LEASE.toMillis())).getBytes(StandardCharsets.UTF_8);
    }

    private static boolean expired(String content) {
        try {
            long until = Long.parseLong(content.substring(content.lastIndexOf(' ') + 1).trim());
            return until < System.currentTimeMillis();
        } catch (RuntimeException e) {
            return true;
        }
    }

    private static RegistryException busy(String uuid) {
        return new RegistryException(ErrorCode.RANGE_INVALID, "upload " + Digest.abbreviate(uuid)
                + " is busy: another request is writing to it");
    }
}
