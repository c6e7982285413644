package dev.berth.maintenance;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import dev.berth.maintenance.Inventory.Blob;
import dev.berth.maintenance.Inventory.Link;
import dev.berth.registry.Digest;
import dev.berth.registry.RegistryException;
import dev.berth.registry.StoragePaths;
import dev.berth.storage.PathNotFoundException;
import dev.berth.storage.StorageDriver;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * The last phase of the sweep (docs/gc.md): a manifest {@code PUT} reuses stored content it finds
 * without any link, so data small enough to be a manifest is moved aside rather than deleted, until a
 * last read of the revision links shows whether a push committed it meanwhile. What one did goes
 * back; the rest is deleted. Outside Distribution's tree, like the maintenance lease.
 */
final class Trash {
    static final String ROOT = "/berth/gc-trash";
    /** Moves in flight at once (S3: a copy and a delete each). */
    private static final int MOVES = StorageDriver.DELETE_CONCURRENCY;

    private final StorageDriver driver;

    Trash(StorageDriver driver) {
        this.driver = driver;
    }

    static String path(Digest digest) {
        return ROOT + "/" + digest.algorithm().id() + "/" + digest.hex();
    }

    /** Moves back what a run that stopped half-way left here, so this run decides on it again. */
    Uni<Void> recover(Consumer<String> out) {
        return driver.walk(ROOT).onFailure(PathNotFoundException.class).recoverWithCompletion()
                .onItem().transformToUni(file -> digest(file.path()).map(d -> {
                    out.accept("gc: moving back blob left aside by an earlier run: " + d);
                    return moveIgnoringGone(file.path(), StoragePaths.blobData(d));
                }).orElseGet(() -> Uni.createFrom().voidItem()))
                .merge(MOVES).collect().last().replaceWithVoid();
    }

    /** Moves the data of {@code blobs} aside. */
    Uni<Void> hold(List<Blob> blobs) {
        return Multi.createFrom().iterable(blobs)
                .onItem().transformToUni(b -> moveIgnoringGone(b.path(), path(b.digest())))
                .merge(MOVES).collect().last()
                // deleting what is gone already: the filesystem driver then removes the directories the moves emptied
                .chain(() -> blobs.isEmpty() ? Uni.createFrom().voidItem() : driver.deleteFiles(blobs.stream().map(Blob::path).toList()));
    }

    /**
     * Moves back what a revision link in {@code now} names, deletes the rest of {@code held}, and
     * returns the digests moved back.
     */
    Uni<Set<Digest>> release(List<Blob> held, Inventory now, Consumer<String> out) {
        Set<Digest> committed = now.revisions().stream().map(Link::digest).collect(Collectors.toSet());
        List<Blob> back = held.stream().filter(b -> committed.contains(b.digest())).toList();
        List<String> gone = held.stream().filter(b -> !committed.contains(b.digest())).map(b -> path(b.digest())).toList();
        back.forEach(b -> out.accept("gc: kept after all, a manifest pushed during the sweep reuses it: blob " + b.digest()));
        return Multi.createFrom().iterable(back)
                .onItem().transformToUni(b -> moveIgnoringGone(path(b.digest()), b.path()))
                .merge(MOVES).collect().last()
                .chain(() -> gone.isEmpty() ? Uni.createFrom().voidItem() : driver.deleteFiles(gone))
                .map(v -> back.stream().map(Blob::digest).collect(Collectors.toSet()));
    }

    /** A blob already gone (another run, a push that rewrote it) needs no move. */
    private Uni<Void> moveIgnoringGone(String from, String to) {
        return driver.move(from, to).onFailure(PathNotFoundException.class).recoverWithNull();
    }

    private static Optional<Digest> digest(String path) {
        String[] p = path.substring(ROOT.length() + 1).split("/");
        try {
            return p.length == 2 ? Optional.of(Digest.parse(p[0] + ":" + p[1])) : Optional.empty();
        } catch (RegistryException e) {
            return Optional.empty();
        }
    }
}
