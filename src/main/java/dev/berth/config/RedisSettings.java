package dev.berth.config;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The {@code redis} section: Distribution 2.8's keys ({@code addr}, {@code password}, {@code db},
 * {@code dialtimeout}, {@code readtimeout}, {@code writetimeout}, {@code pool.*}, {@code tls.enabled})
 * and Distribution 3's ({@code addrs}, {@code username}, {@code mastername} for Sentinel, and its pool
 * names), read once here for the check before start, the Quarkus Redis client settings and the cache.
 */
public record RedisSettings(List<String> addrs, Optional<String> username, Optional<String> password, int db, Optional<String> masterName,
        Duration dialTimeout, Duration readTimeout, Duration writeTimeout, int maxActive, Duration idleTimeout,
        boolean tls) {
    /** go-redis' defaults (Distribution 3's client); Distribution 2.8 waits forever when they are unset. */
    static final Duration DEFAULT_DIAL_TIMEOUT = Duration.ofSeconds(5);
    static final Duration DEFAULT_IO_TIMEOUT = Duration.ofSeconds(3);
    static final int DEFAULT_MAX_ACTIVE = 16;
    static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration MAX_TIMEOUT = Duration.ofMinutes(1);
    /** Every key Berth reads; another key would be accepted and ignored, so it stops startup. */
    private static final Set<String> KEYS = Set.of("addr", "addrs", "username", "password", "db", "mastername", "dialtimeout", "readtimeout",
            "writetimeout", "pool.maxidle", "pool.maxactive", "pool.idletimeout", "maxidleconns", "poolsize", "connmaxidletime",
            "tls.enabled");

    /** The section, or empty when the file has none (no Redis client is then created). */
    public static Optional<RedisSettings> read(OptionReader redis) {
        if (redis.keys().isEmpty()) {
            return Optional.empty();
        }
        redis.keys().stream().map(k -> k.replaceAll("\\[\\d+]$", "")).filter(k -> !KEYS.contains(k)).sorted().findFirst().ifPresent(k -> {
            throw redis.fail(k, "not supported by Berth (known: " + KEYS.stream().sorted().collect(Collectors.joining(", ")) + ")",
                    redis.string(k, ""));
        });
        List<String> addrs = redis.list("addrs");
        if (addrs.isEmpty()) {
            addrs = redis.string("addr").map(List::of).orElseThrow(() -> redis.fail("addr", "required (or addrs)"));
        }
        for (String addr : addrs) {
            if (!addr.matches("\\[?[A-Za-z0-9._:-]+]?:\\d{1,5}")) {
                throw redis.fail(redis.has("addrs") ? "addrs" : "addr", "must be host:port", addr);
            }
        }
        Optional<String> master = redis.string("mastername");
        if (addrs.size() > 1 && master.isEmpty()) {
            throw redis.fail("addrs", "several addresses need mastername (Sentinel); Redis Cluster is not supported by Berth",
                    String.join(",", addrs));
        }
        Duration dial = redis.duration("dialtimeout", DEFAULT_DIAL_TIMEOUT, Duration.ofMillis(1), MAX_TIMEOUT);
        Duration read = redis.duration("readtimeout", DEFAULT_IO_TIMEOUT, Duration.ofMillis(1), MAX_TIMEOUT);
        Duration write = redis.duration("writetimeout", read, Duration.ofMillis(1), MAX_TIMEOUT);
        int maxActive = redis.number("pool.maxactive", redis.number("poolsize", DEFAULT_MAX_ACTIVE, 1, 10_000), 1, 10_000);
        // checked, not used: Vert.x's pool keeps no idle minimum, it closes each connection idle longer than idletimeout
        redis.number("pool.maxidle", redis.number("maxidleconns", maxActive, 0, 10_000), 0, 10_000);
        Duration idle = redis.duration("pool.idletimeout",
                redis.duration("connmaxidletime", DEFAULT_IDLE_TIMEOUT, Duration.ofSeconds(1), null), Duration.ofSeconds(1), null);
        return Optional.of(new RedisSettings(addrs, redis.string("username"), redis.string("password"), redis.number("db", 0, 0, 1_000_000),
                master, dial, read, write, maxActive, idle, redis.bool("tls.enabled", false)));
    }

    /** The Quarkus Redis client's settings ({@code quarkus.redis.*}); without a section the client stays inactive. */
    static void apply(OptionReader file, Map<String, String> props) {
        Optional<RedisSettings> settings = read(file.section("redis"));
        props.put("quarkus.redis.active", Boolean.toString(settings.isPresent()));
        settings.ifPresent(s -> s.applyTo(props));
    }

    private void applyTo(Map<String, String> props) {
        String scheme = tls ? "rediss" : "redis";
        String user = username.map(u -> URLEncoder.encode(u, StandardCharsets.UTF_8) + "@").orElse("");
        props.put("quarkus.redis.hosts", addrs.stream().map(a -> scheme + "://" + user + a + "/" + db).collect(Collectors.joining(",")));
        password.ifPresent(p -> props.put("quarkus.redis.password", p));
        masterName.ifPresent(m -> {
            props.put("quarkus.redis.client-type", "sentinel");
            props.put("quarkus.redis.master-name", m);
            props.put("quarkus.redis.role", "master");
        });
        props.put("quarkus.redis.tls.enabled", Boolean.toString(tls));
        if (tls) {
            // Vert.x checks no host name unless told; Distribution's Go client always does
            props.put("quarkus.redis.tls.hostname-verification-algorithm", "HTTPS");
        }
        props.put("quarkus.redis.tcp.connection-timeout", dialTimeout.toString());
        props.put("quarkus.redis.timeout", readTimeout.toString());
        props.put("quarkus.redis.max-pool-size", Integer.toString(maxActive));
        props.put("quarkus.redis.pool-recycle-timeout", idleTimeout.toString());
    }
}
