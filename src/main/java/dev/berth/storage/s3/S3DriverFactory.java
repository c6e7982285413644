package dev.berth.storage.s3;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.Config;

import dev.berth.config.BerthConfig;
import dev.berth.storage.StorageDriver;
import dev.berth.storage.StorageDriverFactory;

@ApplicationScoped
public class S3DriverFactory implements StorageDriverFactory {
    @Inject
    Config config;
    @Inject
    BerthConfig berth;

    private final List<S3Driver> created = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public String name() {
        return "s3";
    }

    @Override
    public StorageDriver create() {
        S3Settings settings = settings();
        S3Driver driver = new S3Driver(S3Clients.create(settings, List.of()), settings);
        created.add(driver);
        return driver;
    }

    /** The {@code storage.s3} keys as the config sources now say (file, REGISTRY_* overrides, tests). */
    public S3Settings settings() {
        Map<String, String> flat = new HashMap<>();
        for (String name : config.getPropertyNames()) {
            if (name.startsWith("storage.s3.") || name.startsWith("storage.s3aws.")) {
                config.getOptionalValue(name, String.class).ifPresent(v -> flat.put(name, v));
            }
        }
        return S3Settings.parse(S3Settings.keysOf(flat), berth.configOrigin());
    }

    @PreDestroy
    void close() {
        created.forEach(S3Driver::close);
    }
}
