package dev.berth.storage.middleware.redirect;

import java.net.URI;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.berth.config.OptionReader;
import dev.berth.storage.StorageDriver;
import dev.berth.storage.StorageMiddlewareFactory;
import dev.berth.storage.middleware.MiddlewareMetrics;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * {@code middleware.storage: - name: redirect, options: {baseurl: ...}}. Also built by ServiceLoader
 * (see {@link StorageMiddlewareFactory}), hence the no-argument constructor and reflection.
 */
@ApplicationScoped
@RegisterForReflection(fields = false, methods = false)
public class RedirectMiddlewareFactory implements StorageMiddlewareFactory {
    @Inject
    MiddlewareMetrics metrics;

    public RedirectMiddlewareFactory() {
    }

    RedirectMiddlewareFactory(MiddlewareMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public String name() {
        return "redirect";
    }

    @Override
    public void validate(OptionReader options) {
        baseUrl(options);
    }

    @Override
    public StorageDriver wrap(StorageDriver driver, OptionReader options) {
        return new RedirectMiddleware(driver, baseUrl(options), metrics);
    }

    private static URI baseUrl(OptionReader options) {
        return options.httpUrl("baseurl").orElseThrow(() -> options.fail("baseurl", "required"));
    }
}
