package dev.berth.api;

import dev.berth.config.HttpConfig;
import io.vertx.core.http.HttpServerRequest;

/** Builds the URLs the registry hands out in Location and Link headers. */
final class Paths {
    private Paths() {
    }

    /** {@code http.prefix} without its trailing slash, "" when unset. */
    static String prefix(HttpConfig http) {
        String prefix = http.prefix().map(String::trim).orElse("");
        if (prefix.isEmpty() || prefix.equals("/")) {
            return "";
        }
        if (!prefix.startsWith("/")) {
            prefix = "/" + prefix;
        }
        return prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
    }

    /**
     * An URL for {@code path} (which starts with /v2/): relative with {@code http.relativeurls},
     * else under {@code http.host}, else under the scheme and host the client used.
     */
    static String url(HttpConfig http, HttpServerRequest request, String path) {
        String full = prefix(http) + path;
        if (http.relativeurls()) {
            return full;
        }
        if (http.host().isPresent() && !http.host().get().isBlank()) {
            String host = http.host().get().trim();
            return (host.endsWith("/") ? host.substring(0, host.length() - 1) : host) + full;
        }
        String proto = request.getHeader("X-Forwarded-Proto");
        String scheme = proto != null && !proto.isBlank() ? proto.split(",")[0].trim() : request.scheme();
        String forwardedHost = request.getHeader("X-Forwarded-Host");
        String host = forwardedHost != null && !forwardedHost.isBlank() ? forwardedHost.split(",")[0].trim()
                : request.authority() != null ? request.authority().toString() : request.localAddress().toString();
        return scheme + "://" + host + full;
    }
}
