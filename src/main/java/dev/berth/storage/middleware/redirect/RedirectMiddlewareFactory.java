package dev.berth.storage.middleware.redirect;

import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import dev.berth.storage.StorageDriver;
import dev.berth.storage.StorageMiddlewareFactory;
import dev.berth.storage.middleware.MiddlewareMetrics;

/** {@code middleware.storage: - name: redirect, options: {baseurl: ...}}. */
@ApplicationScoped
public class RedirectMiddlewareFactory implements StorageMiddlewareFactory {
    private final MiddlewareMetrics metrics;

    public RedirectMiddlewareFactory(MiddlewareMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public String name() {
        return "redirect";
    }

    @Override
    public StorageDriver wrap(StorageDriver driver, Map<String, String> options) {
        return new RedirectMiddleware(driver, options.get("baseurl"), metrics);
    }
}
