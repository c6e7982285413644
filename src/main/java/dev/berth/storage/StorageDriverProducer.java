package dev.berth.storage;

import java.util.List;

import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import dev.berth.config.BerthConfig;
import dev.berth.config.ConfigError;
import dev.berth.config.OptionReader;
import dev.berth.storage.middleware.MiddlewareMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.trace.Tracer;
import io.quarkus.runtime.StartupEvent;

/** Builds the configured driver and wraps it in the configured storage middleware, in order. */
public class StorageDriverProducer {
    private static final Logger LOG = Logger.getLogger(StorageDriverProducer.class);

    @Produces
    @Singleton
    StorageDriver storageDriver(BerthConfig config, MiddlewareConfig middleware,
            @Any Instance<StorageDriverFactory> drivers, @Any Instance<StorageMiddlewareFactory> middlewares,
            MeterRegistry meters, MiddlewareMetrics redirects, Tracer tracer,
            @ConfigProperty(name = "quarkus.otel.sdk.disabled", defaultValue = "true") boolean tracingOff) {
        StorageDriverFactory factory = drivers.stream()
                .filter(f -> f.name().equals(config.storageDriver()))
                .findFirst()
                .orElseThrow(() -> new ConfigError("storage." + config.storageDriver() + ": driver not available in this build"));
        StorageDriver driver = new MeteredDriver(new PathCheckingDriver(factory.create()), meters, redirects);
        LOG.infof("storage driver %s", driver.name());
        List<MiddlewareConfig.Entry> entries = middleware.storage().orElse(List.of());
        for (int i = 0; i < entries.size(); i++) {
            MiddlewareConfig.Entry entry = entries.get(i);
            if (entry.disabled()) {
                continue;
            }
            StorageMiddlewareFactory wrapper = middlewares.stream()
                    .filter(m -> m.name().equals(entry.name()))
                    .findFirst()
                    .orElseThrow(() -> new ConfigError("middleware.storage: unknown storage middleware \"" + entry.name() + "\""));
            driver = wrapper.wrap(driver, new OptionReader(entry.options(), "middleware.storage[" + i + "].options.", config.configOrigin()));
            LOG.infof("storage middleware %s", entry.name());
        }
        // with tracing off the tracer still builds a (non-recording) span per call: a few us on every pull
        return tracingOff ? driver : new TracingDriver(driver, tracer);
    }

    /** Builds the driver at startup, on the main thread: building an S3 client may read files (profiles). */
    void buildAtStartup(@Observes StartupEvent event, StorageDriver driver) {
        driver.name();
    }
}
