package dev.berth.redis;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

import dev.berth.config.OptionReader;
import dev.berth.config.RedisSettings;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.health.api.HealthRegistry;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * The Redis of the {@code redis} section, and whether it is reachable now: up while this replica is
 * subscribed to the invalidation channel ({@link Invalidations}), which is what lets its local caches
 * be trusted. Reported as {@code registry_redis_up} and in the readiness details (UP either way:
 * without Redis the registry serves from storage), and logged once per outage.
 */
// a singleton (no lazy proxy), so the gauge exists from startup
@Singleton
public class RedisLink {
    private static final Logger LOG = Logger.getLogger(RedisLink.class);
    static final String UP_METRIC = "registry.redis.up";
    static final String CHECK = "redis";

    private final Optional<RedisSettings> settings;
    private final Instance<ReactiveRedisDataSource> dataSource;
    private final AtomicBoolean up = new AtomicBoolean();
    private final AtomicBoolean outageLogged = new AtomicBoolean();
    private volatile String error = "not connected yet";
    /** What must reach Redis before it is trusted again: what this replica could not write there while it was unreachable. */
    private final List<Supplier<Uni<Void>>> recoveries = new CopyOnWriteArrayList<>();

    @Inject
    RedisLink(Config config, Instance<ReactiveRedisDataSource> dataSource, MeterRegistry meters, @Readiness HealthRegistry readiness) {
        this.settings = RedisSettings.read(OptionReader.fromConfig(config, "redis"));
        this.dataSource = dataSource;
        if (settings.isPresent()) {
            Gauge.builder(UP_METRIC, up, u -> u.get() ? 1 : 0).description("1 while Redis (shared caches and invalidations) is reachable")
                    .register(meters);
            readiness.register(CHECK, (HealthCheck) () -> HealthCheckResponse.named(CHECK).up()
                    .withData("state", up.get() ? "up" : "degraded: serving from storage")
                    .withData("error", up.get() ? "" : error).build());
        }
    }

    /** Whether a {@code redis} section is configured: without one, nothing here connects anywhere. */
    public boolean configured() {
        return settings.isPresent();
    }

    public RedisSettings settings() {
        return settings.orElseThrow();
    }

    /** The Quarkus client; only when {@link #configured()} (the client is inactive otherwise). */
    ReactiveRedisDataSource dataSource() {
        return dataSource.get();
    }

    public boolean up() {
        return up.get();
    }

    /** {@code recovery} runs each time Redis is reached again, before the caches trust it; a failure counts as unreachable. */
    void onRecovery(Supplier<Uni<Void>> recovery) {
        recoveries.add(recovery);
    }

    Uni<Void> recover() {
        return Multi.createFrom().iterable(recoveries).onItem().transformToUniAndConcatenate(Supplier::get)
                .collect().last().replaceWithVoid();
    }

    void reachable() {
        if (up.compareAndSet(false, true)) {
            outageLogged.set(false);
            LOG.infof("redis %s reachable: caches are shared with the other replicas", String.join(",", settings().addrs()));
        }
    }

    /** The failure and its root cause: Vert.x wraps the one an operator needs (a certificate's name, a refused connection). */
    static String describe(Throwable cause) {
        if (cause == null) {
            return "connection closed";
        }
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String outer = message(cause);
        return root == cause ? outer : outer + ": " + message(root);
    }

    private static String message(Throwable t) {
        return t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
    }

    /** Logged once per outage; until {@link #reachable()}, the caches serve from storage. */
    void unreachable(Throwable cause) {
        error = describe(cause);
        up.set(false);
        if (outageLogged.compareAndSet(false, true)) {
            LOG.warnf("redis %s unreachable (%s): serving from storage, without shared caches, until it is back",
                    String.join(",", settings().addrs()), error);
        }
    }
}
