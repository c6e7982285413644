package dev.berth.storage.s3;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.Config;

import dev.berth.config.OptionReader;
import dev.berth.storage.StorageDriver;
import dev.berth.storage.StorageDriverFactory;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.cache.Cache;
import io.quarkus.cache.CacheName;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** The s3 driver; also built by ServiceLoader (see {@link StorageDriverFactory}), hence registered for reflection. */
@ApplicationScoped
@RegisterForReflection(fields = false, methods = false)
public class S3DriverFactory implements StorageDriverFactory {
    @Inject
    Config config;
    @Inject
    MeterRegistry meters;
    @Inject
    @CacheName("s3-upload-states")
    Cache uploadStates;

    private final List<S3Driver> created = new CopyOnWriteArrayList<>();

    @Override
    public String name() {
        return "s3";
    }

    @Override
    public void validate(OptionReader options) {
        S3Settings.parse(options);
    }

    @Override
    public StorageDriver create() {
        S3Settings settings = settings();
        S3Driver driver = new S3Driver(S3Clients.create(settings, List.of(new S3RetryCounter(meters))), settings, uploadStates);
        created.add(driver);
        return driver;
    }

    /** The {@code storage.s3} keys as the config sources now say (file, REGISTRY_* overrides, tests). */
    public S3Settings settings() {
        return S3Settings.parse(OptionReader.fromConfig(config, "storage.s3"));
    }

    @PreDestroy
    void close() {
        created.forEach(S3Driver::close);
    }
}
