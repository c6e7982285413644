package dev.berth.health;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

import dev.berth.config.HealthSettings.Check;
import io.smallrye.mutiny.Uni;

/**
 * One configured check, run every {@code interval}: it turns unhealthy after {@code threshold}
 * consecutive failures (the first when 0 or 1) and healthy again at the first success, as
 * Distribution's periodic threshold checker does. A run still going when the next is due is not doubled.
 */
final class PeriodicCheck {
    private static final Logger LOG = Logger.getLogger(PeriodicCheck.class);

    private final String name;
    private final Check check;
    private final Supplier<Uni<Void>> probe;
    private final AtomicBoolean running = new AtomicBoolean();
    private int failures;
    private volatile String error;

    PeriodicCheck(String name, Check check, Supplier<Uni<Void>> probe) {
        this.name = name;
        this.check = check;
        this.probe = probe;
    }

    String name() {
        return name;
    }

    Check check() {
        return check;
    }

    /** Why the check is unhealthy, or null while it is healthy. */
    String error() {
        return error;
    }

    void run() {
        if (!running.compareAndSet(false, true)) {
            return;
        }
        Uni.createFrom().deferred(probe::get).subscribe().with(ok -> done(null), failure -> done(message(failure)));
    }

    private synchronized void done(String failure) {
        if (failure == null) {
            if (error != null) {
                LOG.infof("health check %s: healthy again", name);
            }
            failures = 0;
            error = null;
        } else if (++failures >= Math.max(1, check.threshold()) && error == null) {
            LOG.warnf("health check %s: unhealthy: %s", name, failure);
            error = failure;
        } else if (error != null) {
            error = failure;
        }
        running.set(false);
    }

    private static String message(Throwable failure) {
        return failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
    }
}
