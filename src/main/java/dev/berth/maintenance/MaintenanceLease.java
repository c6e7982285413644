package dev.berth.maintenance;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import dev.berth.storage.PathNotFoundException;
import dev.berth.storage.StorageDriver;
import io.smallrye.mutiny.Uni;

/**
 * One replica at a time runs maintenance (garbage collection, upload purging): a lease object in
 * storage, {@code <owner> <expiry>}, outside Distribution's tree. Taking a free lease is the
 * storage's atomic create-if-absent. Taking an expired one is a plain overwrite, so two replicas may
 * both write it: each then waits {@link #SETTLE} and reads it back, and only the one whose name the
 * object holds goes on (the last write wins on both drivers, and every write lands within SETTLE).
 * A holder renews before each step; one that finds another's name stops.
 */
public final class MaintenanceLease {
    public static final String PATH = "/berth/maintenance-lease";
    /** Longer than any single small write takes to become visible to every reader. */
    static final Duration SETTLE = Duration.ofSeconds(2);

    private final StorageDriver driver;
    private final Clock clock;
    private final String owner;
    private final Duration ttl;
    private final Duration settle;

    public MaintenanceLease(StorageDriver driver, Clock clock, String owner, Duration ttl) {
        this(driver, clock, owner, ttl, SETTLE);
    }

    MaintenanceLease(StorageDriver driver, Clock clock, String owner, Duration ttl, Duration settle) {
        this.driver = driver;
        this.clock = clock;
        this.owner = owner;
        this.ttl = ttl;
        this.settle = settle;
    }

    public String owner() {
        return owner;
    }

    /** True when this replica holds the lease now (taken, or renewed because it already held it). */
    public Uni<Boolean> acquire() {
        return driver.putContentIfAbsent(PATH, content()).chain(created -> {
            if (created) {
                return Uni.createFrom().item(true);
            }
            return read().chain(holder -> {
                boolean live = holder.expiry().isAfter(clock.instant());
                if (live && !holder.owner().equals(owner)) {
                    return Uni.createFrom().item(false);
                }
                // a live lease of ours is written by us alone; an expired one may be taken by several at once:
                // overwrite, let racing writes land, and see whose name stayed
                return driver.putContent(PATH, content())
                        .chain(() -> live ? Uni.createFrom().voidItem() : Uni.createFrom().voidItem().onItem().delayIt().by(settle))
                        .chain(this::read)
                        .map(after -> after.owner().equals(owner));
            });
        });
    }

    /** Frees the lease if this replica still holds it. */
    public Uni<Void> release() {
        return read().chain(holder -> holder.owner().equals(owner)
                        ? driver.delete(PATH).onFailure(PathNotFoundException.class).recoverWithNull()
                        : Uni.createFrom().voidItem())
                .onFailure(PathNotFoundException.class).recoverWithNull();
    }

    private record Holder(String owner, Instant expiry) {
    }

    private Uni<Holder> read() {
        return driver.getContent(PATH).map(bytes -> {
            String[] parts = new String(bytes, StandardCharsets.UTF_8).trim().split(" ");
            try {
                return new Holder(parts[0], Instant.parse(parts[1]));
            } catch (RuntimeException e) {
                // unreadable: treat as expired, so a damaged object cannot block maintenance forever
                return new Holder("", Instant.EPOCH);
            }
        }).onFailure(PathNotFoundException.class).recoverWithItem(new Holder("", Instant.EPOCH));
    }

    private byte[] content() {
        return (owner + " " + clock.instant().plus(ttl)).getBytes(StandardCharsets.UTF_8);
    }
}
