package dev.berth.maintenance;

import static dev.berth.storage.StorageTestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.berth.storage.StorageDriver;
import io.smallrye.mutiny.Uni;

/** Replicas sharing a storage: at most one holds the maintenance lease at any time. */
class MaintenanceLeaseTest {
    private static final Duration TTL = Duration.ofMinutes(5);
    private static final Duration SETTLE = Duration.ofMillis(200);

    @TempDir
    Path dir;

    private MaintenanceLease lease(StorageDriver driver, String owner, Instant now) {
        return new MaintenanceLease(driver, Clock.fixed(now, ZoneOffset.UTC), owner, TTL, SETTLE);
    }

    private static long holders(List<MaintenanceLease> replicas) {
        List<Boolean> held = await(Uni.join().all(replicas.stream().map(MaintenanceLease::acquire).toList()).andFailFast());
        return held.stream().filter(h -> h).count();
    }

    @Test
    void ofReplicasRacingForAFreeLeaseExactlyOneWins() {
        StorageDriver driver = TestDrivers.filesystem(dir);
        Instant now = Instant.now();
        List<MaintenanceLease> replicas = IntStream.range(0, 8).mapToObj(i -> lease(driver, "replica-" + i, now)).toList();
        assertEquals(1, holders(replicas));
    }

    @Test
    void aLiveLeaseIsRenewedByItsHolderAndRefusedToOthers() {
        StorageDriver driver = TestDrivers.filesystem(dir);
        Instant now = Instant.now();
        MaintenanceLease a = lease(driver, "a", now);
        assertTrue(await(a.acquire()));
        assertTrue(await(lease(driver, "a", now.plus(Duration.ofMinutes(4))).acquire()), "renewed by its holder");
        assertFalse(await(lease(driver, "b", now.plus(Duration.ofMinutes(8))).acquire()), "the renewal moved the expiry");
        await(a.release());
        assertTrue(await(lease(driver, "b", now).acquire()), "free again once released");
    }

    @Test
    void ofReplicasRacingForAnExpiredLeaseExactlyOneWinsAndTheOldHolderStops() {
        StorageDriver driver = TestDrivers.filesystem(dir);
        Instant now = Instant.now();
        assertTrue(await(lease(driver, "old", now).acquire()));
        Instant later = now.plus(TTL).plusSeconds(1);
        List<MaintenanceLease> replicas = IntStream.range(0, 6).mapToObj(i -> lease(driver, "replica-" + i, later)).toList();
        assertEquals(1, holders(replicas));
        // the old holder, renewing late, finds another's live lease
        assertFalse(await(lease(driver, "old", now.plus(TTL).minusSeconds(1)).acquire()));
    }
}
