package dev.berth.config;

import java.util.Optional;

/**
 * {@code http.debug}: the second listener ({@code addr}) with {@code /debug/health} and, when
 * {@code prometheus.enabled}, the metrics at {@code prometheus.path}. No {@code addr}, no listener.
 */
public record DebugSettings(Optional<ListenAddress> addr, boolean prometheusEnabled, String prometheusPath) {

    public static DebugSettings read(OptionReader debug) {
        Optional<ListenAddress> addr = debug.string("addr").map(a -> {
            try {
                return ListenAddress.parse(a);
            } catch (ConfigError e) {
                throw debug.fail("addr", "must be [host]:port", a);
            }
        });
        boolean prometheus = debug.bool("prometheus.enabled", false);
        String path = debug.string("prometheus.path", "/metrics");
        if (!path.matches("/[A-Za-z0-9._~/-]*") || path.startsWith("/debug/")) {
            throw debug.fail("prometheus.path", "must be a URL path outside /debug/, such as /metrics", path);
        }
        return new DebugSettings(addr, prometheus, path);
    }
}
