package dev.berth.proxy;

import java.io.IOException;
import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;

/**
 * At startup, removes the spool files that a mirror killed mid-fill left behind: nothing else would,
 * and each can be as large as a layer. Live processes sharing the directory keep theirs.
 */
@ApplicationScoped
class StaleSpools {
    private static final Logger LOG = Logger.getLogger(StaleSpools.class);
    /** Older than any spool file between its creation and its lock. */
    static final Duration MIN_AGE = Duration.ofMinutes(1);

    @Inject
    Upstream upstream;

    void remove(@Observes StartupEvent event) {
        if (!upstream.enabled()) {
            return;
        }
        try {
            int removed = Spool.removeStale(upstream.settings().spoolDirectory(), MIN_AGE);
            if (removed > 0) {
                LOG.infof("proxy: removed %d spool files left by a stopped process in %s", removed, upstream.settings().spoolDirectory());
            }
        } catch (IOException e) {
            LOG.warnf("proxy: cannot look for stale spool files in %s: %s", upstream.settings().spoolDirectory(), e.getMessage());
        }
    }
}
