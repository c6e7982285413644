package dev.berth.maintenance;

import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import dev.berth.config.GoDuration;
import dev.berth.config.MaintenanceSettings;
import dev.berth.config.OptionReader;
import dev.berth.config.StorageConfig;
import dev.berth.storage.StorageDriver;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.core.Vertx;

/**
 * Runs upload purging ({@code storage.maintenance.uploadpurging}, on by default as in Distribution) and
 * online garbage collection ({@code storage.maintenance.gc}, off by default) on their intervals, each
 * first after a random delay within its interval, so replicas started together spread out. Each run
 * holds the {@link MaintenanceLease}, so one replica at a time does maintenance.
 */
@ApplicationScoped
public class MaintenanceScheduler {
    private static final Logger LOG = Logger.getLogger(MaintenanceScheduler.class);
    /** Lease lifetime; renewed every third of it while a run lasts. */
    static final Duration LEASE_TTL = Duration.ofMinutes(5);

    @Inject
    Vertx vertx;
    @Inject
    StorageDriver driver;
    @Inject
    GarbageCollection collection;
    @Inject
    StorageConfig storage;
    @Inject
    Config config;
    /** False in the garbage-collect command, which runs its own collection and must not start others. */
    @ConfigProperty(name = "berth.maintenance.scheduled", defaultValue = "true")
    boolean scheduled;

    private volatile boolean stopped;
    private MaintenanceLease lease;

    void start(@Observes StartupEvent event) {
        if (!scheduled || storage.maintenance().readonly().enabled()) {
            // read-only mode writes nothing, as in Distribution (which skips upload purging then)
            return;
        }
        MaintenanceSettings settings = MaintenanceSettings.parse(OptionReader.fromConfig(config, "storage.maintenance"));
        String owner = ManagementFactory.getRuntimeMXBean().getName() + "-" + UUID.randomUUID();
        lease = new MaintenanceLease(driver, Clock.systemUTC(), owner.replace(' ', '_'), LEASE_TTL);
        MaintenanceSettings.UploadPurging purging = settings.uploadPurging();
        if (purging.enabled()) {
            schedule("upload purging", purging.interval(), firstDelay(purging.interval()), () -> new UploadPurger(driver, Clock.systemUTC())
                    .purge(purging.age(), purging.dryRun(), LOG::info)
                    .invoke(r -> LOG.infof("upload purging%s: %d uploads older than %s purged, %d multipart uploads aborted",
                            purging.dryRun() ? " (dry run)" : "", r.uploadsDeleted(), GoDuration.format(purging.age()), r.multipartAborted()))
                    .replaceWithVoid());
        }
        MaintenanceSettings.Gc gc = settings.gc();
        if (gc.enabled()) {
            GcOptions options = new GcOptions(gc.dryRun(), gc.deleteUntagged(), gc.grace());
            schedule("garbage collection", gc.interval(), firstDelay(gc.interval()),
                    () -> collection.run(options, LOG::debug).invoke(r -> LOG.infof("garbage collection: %s", r.summary())).replaceWithVoid());
        }
    }

    void stop(@Observes ShutdownEvent event) {
        stopped = true;
    }

    private static Duration firstDelay(Duration interval) {
        return Duration.ofMillis(ThreadLocalRandom.current().nextLong(Math.max(1, interval.toMillis())));
    }

    private void schedule(String name, Duration interval, Duration delay, Supplier<Uni<Void>> work) {
        LOG.logf(delay.equals(interval) ? Logger.Level.DEBUG : Logger.Level.INFO, "%s: every %s, next in %s", name,
                GoDuration.format(interval), GoDuration.format(delay.withNanos(0)));
        vertx.setTimer(Math.max(1, delay.toMillis()), id -> {
            if (stopped) {
                return;
            }
            underLease(name, work).subscribe().with(
                    v -> schedule(name, interval, interval, work),
                    e -> {
                        LOG.errorf("%s failed: %s", name, e.getMessage());
                        schedule(name, interval, interval, work);
                    });
        });
    }

    /** Runs {@code work} while this replica holds the lease, renewing it; losing it cancels the work. */
    private Uni<Void> underLease(String name, Supplier<Uni<Void>> work) {
        return lease.acquire().chain(held -> {
            if (!held) {
                LOG.infof("%s: another replica holds the maintenance lease; skipped", name);
                return Uni.createFrom().voidItem();
            }
            return Uni.createFrom().<Void>emitter(emitter -> {
                Cancellable running = work.get().subscribe().with(emitter::complete, emitter::fail);
                long renewal = vertx.setPeriodic(LEASE_TTL.toMillis() / 3, id -> lease.acquire().subscribe().with(still -> {
                    if (!still) {
                        running.cancel();
                        emitter.fail(new IllegalStateException("the maintenance lease was lost to another replica; stopped"));
                    }
                }, e -> LOG.warnf("%s: renewing the maintenance lease: %s", name, e.getMessage())));
                emitter.onTermination(() -> vertx.cancelTimer(renewal));
            }).eventually(() -> lease.release().onFailure().recoverWithNull());
        });
    }
}
