package dev.berth.config;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code health} section, Distribution's keys and defaults: {@code storagedriver} (enabled,
 * interval, threshold), and lists of {@code file} (file, interval), {@code http} (uri, headers,
 * statuscode, timeout, interval, threshold) and {@code tcp} (addr, timeout, interval, threshold).
 * Read by the startup check and by the health checks, so both apply the same rules.
 */
public record HealthSettings(Optional<Check> storageDriver, List<FileCheck> files, List<HttpCheck> http, List<TcpCheck> tcp) {
    /** Distribution's interval when none is given. */
    static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);
    /** Distribution waits forever for an HTTP or TCP check; Berth gives up after this (Berth's default). */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration MIN_INTERVAL = Duration.ofMillis(100);

    /** How often a check runs and after how many consecutive failures it counts (0 or 1: the first). */
    public record Check(Duration interval, int threshold) {
    }

    /** Unhealthy while {@code file} exists (an operator drains a node by creating it). */
    public record FileCheck(String file, Check check) {
    }

    /** Unhealthy unless a HEAD of {@code uri} answers {@code statusCode} within {@code timeout}. */
    public record HttpCheck(URI uri, Map<String, List<String>> headers, int statusCode, Duration timeout, Check check) {
    }

    /** Unhealthy unless a TCP connection to {@code host:port} opens within {@code timeout}. */
    public record TcpCheck(String addr, String host, int port, Duration timeout, Check check) {
    }

    /** The section as the config sources say now. */
    public static HealthSettings read(OptionReader health) {
        Optional<Check> storage = health.bool("storagedriver.enabled", false)
                ? Optional.of(check(health.section("storagedriver"))) : Optional.empty();
        List<FileCheck> files = new ArrayList<>();
        for (int i = 0; health.has("file[" + i + "]"); i++) {
            OptionReader f = health.section("file[" + i + "]");
            // Distribution ignores a file check's threshold: the file's presence counts at once
            files.add(new FileCheck(f.required("file"), new Check(interval(f), 0)));
        }
        List<HttpCheck> http = new ArrayList<>();
        for (int i = 0; health.has("http[" + i + "]"); i++) {
            OptionReader h = health.section("http[" + i + "]");
            URI uri = h.httpUrl("uri").orElseThrow(() -> h.fail("uri", "required"));
            http.add(new HttpCheck(uri, h.section("headers").valuesByName(), h.number("statuscode", 200, 100, 599), timeout(h), check(h)));
        }
        List<TcpCheck> tcp = new ArrayList<>();
        for (int i = 0; health.has("tcp[" + i + "]"); i++) {
            OptionReader t = health.section("tcp[" + i + "]");
            String addr = t.required("addr");
            int colon = addr.lastIndexOf(':');
            int port = -1;
            try {
                port = colon > 0 ? Integer.parseInt(addr.substring(colon + 1)) : -1;
            } catch (NumberFormatException e) {
                // reported below
            }
            if (port < 1 || port > 65535) {
                throw t.fail("addr", "must be host:port", addr);
            }
            String host = addr.substring(0, colon).replace("[", "").replace("]", "");
            tcp.add(new TcpCheck(addr, host, port, timeout(t), check(t)));
        }
        return new HealthSettings(storage, List.copyOf(files), List.copyOf(http), List.copyOf(tcp));
    }

    private static Check check(OptionReader r) {
        return new Check(interval(r), r.number("threshold", 0, 0, 1_000_000));
    }

    private static Duration interval(OptionReader r) {
        return r.duration("interval", DEFAULT_INTERVAL, MIN_INTERVAL, null);
    }

    private static Duration timeout(OptionReader r) {
        return r.duration("timeout", DEFAULT_TIMEOUT, Duration.ofMillis(1), null);
    }
}
