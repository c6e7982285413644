package dev.berth.health;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

import dev.berth.config.HealthSettings;
import dev.berth.config.OptionReader;
import dev.berth.http.ErrorReply;
import dev.berth.http.RequestHook;
import dev.berth.http.Routes.Stage;
import dev.berth.registry.ErrorCode;
import dev.berth.storage.StorageDriver;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.health.api.HealthRegistry;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;

/**
 * The {@code health} section's checks, run periodically on Vert.x timers. Each one is a readiness
 * check ({@code /q/health/ready}) under Distribution's name (storagedriver_&lt;driver&gt;, the file,
 * the URI, the address), feeds {@code /debug/health}, and, as in Distribution, while any fails the
 * main port answers 503 to every request (the way a load balancer probing {@code /} drains the node).
 */
@ApplicationScoped
public class HealthChecks implements RequestHook {
    private static final Logger LOG = Logger.getLogger(HealthChecks.class);

    @Inject
    Config config;
    @Inject
    Vertx vertx;
    @Inject
    StorageDriver driver;
    @Inject
    @Readiness
    HealthRegistry readiness;

    private final List<PeriodicCheck> checks = new CopyOnWriteArrayList<>();
    private final List<Long> timers = new CopyOnWriteArrayList<>();
    private Probes probes;

    void start(@Observes StartupEvent event) {
        HealthSettings settings = HealthSettings.read(OptionReader.fromConfig(config, "health"));
        if (settings.storageDriver().isEmpty() && settings.files().isEmpty() && settings.http().isEmpty() && settings.tcp().isEmpty()) {
            return;
        }
        probes = new Probes(vertx);
        settings.storageDriver().ifPresent(c -> add(new PeriodicCheck("storagedriver_" + driver.name(), c,
                () -> Probes.storage(driver, HealthSettings.DEFAULT_TIMEOUT))));
        settings.files().forEach(f -> add(new PeriodicCheck(f.file(), f.check(), () -> probes.file(f.file()))));
        settings.http().forEach(h -> add(new PeriodicCheck(h.uri().toString(), h.check(), () -> probes.http(h))));
        settings.tcp().forEach(t -> add(new PeriodicCheck(t.addr(), t.check(), () -> probes.tcp(t))));
    }

    private void add(PeriodicCheck check) {
        checks.add(check);
        readiness.register(check.name(), (HealthCheck) () -> {
            String error = check.error();
            return error == null ? HealthCheckResponse.up(check.name())
                    : HealthCheckResponse.named(check.name()).down().withData("error", error).build();
        });
        check.run();
        timers.add(vertx.setPeriodic(check.check().interval().toMillis(), id -> check.run()));
        LOG.infof("health check %s every %d ms, threshold %d", check.name(), check.check().interval().toMillis(), check.check().threshold());
    }

    void stop(@Observes ShutdownEvent event) {
        timers.forEach(vertx::cancelTimer);
        if (probes != null) {
            probes.close();
        }
    }

    /** The failing checks by name, with their error: Distribution's {@code /debug/health} body. */
    public Map<String, String> failing() {
        Map<String, String> out = new TreeMap<>();
        for (PeriodicCheck check : checks) {
            String error = check.error();
            if (error != null) {
                out.put(check.name(), error);
            }
        }
        return out;
    }

    @Override
    public Stage stage() {
        return Stage.HEALTH;
    }

    /** The gate only where checks are configured. */
    @Override
    public boolean active() {
        return !OptionReader.fromConfig(config, "health").keys().isEmpty();
    }

    @Override
    public boolean admit(RoutingContext ctx) {
        if (!ctx.normalizedPath().startsWith("/q/") && anyFailing()) {
            ErrorReply.of(503, ErrorCode.UNAVAILABLE, "health check failed: please see /debug/health", null).send(ctx.response());
            return false;
        }
        return true;
    }

    private boolean anyFailing() {
        for (PeriodicCheck check : checks) {
            if (check.error() != null) {
                return true;
            }
        }
        return false;
    }
}
