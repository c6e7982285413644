package dev.berth.config;

import java.util.List;
import java.util.TreeSet;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;

/**
 * Logs once, at startup, each Distribution config section that Berth accepts but does not implement yet.
 * Sections whose absence would change what the registry serves are refused instead
 * ({@link DistributionConfigValidator#REFUSED}).
 */
@ApplicationScoped
public class UnsupportedSectionsReport {
    private static final Logger LOG = Logger.getLogger(UnsupportedSectionsReport.class);
    /** Sections of Distribution's schema not implemented yet; most specific first. */
    static final List<String> NOT_YET = List.of(
            "reporting", "compatibility", "storage.tag");

    void report(@Observes StartupEvent event, Config config, BerthConfig berth) {
        TreeSet<String> found = new TreeSet<>();
        for (String key : config.getPropertyNames()) {
            for (String section : NOT_YET) {
                if (key.equals(section) || key.startsWith(section + ".") || key.startsWith(section + "[")) {
                    found.add(section);
                }
            }
        }
        for (String section : found) {
            LOG.warnf("config: %s is accepted but not yet supported by Berth; it is ignored", section);
        }
        LOG.infof("configuration from %s", berth.configOrigin());
    }
}
