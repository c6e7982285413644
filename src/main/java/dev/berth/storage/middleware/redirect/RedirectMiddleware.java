package dev.berth.storage.middleware.redirect;

import java.net.URI;
import java.util.Optional;

import io.smallrye.mutiny.Uni;

import dev.berth.storage.RedirectRequest;
import dev.berth.storage.StorageDriver;
import dev.berth.storage.middleware.DelegatingStorageDriver;
import dev.berth.storage.middleware.MiddlewareMetrics;

/**
 * Distribution's {@code redirect} middleware: sends clients to {@code baseurl} + the storage path,
 * unsigned (a web server or CDN in front of the same files does the rest).
 */
public final class RedirectMiddleware extends DelegatingStorageDriver {
    private final String prefix;
    private final String query;
    private final MiddlewareMetrics metrics;

    public RedirectMiddleware(StorageDriver driver, URI uri, MiddlewareMetrics metrics) {
        super(driver);
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        // a baseurl path is joined in front, as Distribution v3 does
        this.prefix = uri.getScheme() + "://" + uri.getRawAuthority() + stripTrailingSlashes(path);
        this.query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
        this.metrics = metrics;
    }

    private static String stripTrailingSlashes(String path) {
        int end = path.length();
        while (end > 0 && path.charAt(end - 1) == '/') {
            end--;
        }
        return path.substring(0, end);
    }

    @Override
    public Uni<Optional<String>> redirectUrl(RedirectRequest request, String path) {
        metrics.plainRedirects.increment();
        String joined = path.startsWith("/") ? prefix + path : prefix + "/" + path;
        return Uni.createFrom().item(Optional.of(joined + query));
    }
}
