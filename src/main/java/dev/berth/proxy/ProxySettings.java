package dev.berth.proxy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

import dev.berth.config.OptionReader;

/**
 * The {@code proxy} section (Distribution's keys): the upstream registry Berth mirrors, its
 * credentials, and how long a tag is served from the cache before upstream is asked again
 * ({@code ttl}, 168h by default, 0 never); and Berth's {@code spooldirectory}, where blobs being
 * fetched wait for a slower storage (the JVM's temporary directory by default). Read by the check
 * before start and by the proxy alike.
 */
public record ProxySettings(URI remoteUrl, Optional<String> username, Optional<String> password, Duration ttl, Path spoolDirectory) {
    public static final Duration DEFAULT_TTL = Duration.ofHours(168);
    private static final Set<String> KEYS = Set.of("remoteurl", "username", "password", "ttl", "spooldirectory");

    /** {@code proxy} is the reader of the {@code proxy} section. */
    public static ProxySettings read(OptionReader proxy) {
        if (proxy.has("exec")) {
            // Distribution 3's credential helper: accepting it without running it would pull anonymously
            throw proxy.fail("exec", "credential helpers are not supported by Berth; give username and password");
        }
        proxy.keys().stream().map(k -> k.split("[.\\[]")[0]).filter(k -> !KEYS.contains(k)).sorted().findFirst().ifPresent(k -> {
            // e.g. Distribution 3's cachewritetimeout: accepted and ignored, it would not do what it says
            throw proxy.fail(k, "not supported by Berth (remoteurl, username, password, ttl, spooldirectory)");
        });
        URI url = proxy.httpUrl("remoteurl").orElseThrow(() -> proxy.fail("remoteurl", "required"));
        if (url.getRawQuery() != null || url.getRawFragment() != null) {
            throw proxy.fail("remoteurl", "must have no query or fragment", url.toString());
        }
        Optional<String> username = proxy.string("username");
        Optional<String> password = proxy.string("password");
        if (username.isPresent() != password.isPresent()) {
            throw proxy.fail(username.isPresent() ? "password" : "username", "required with " + (username.isPresent() ? "username" : "password"));
        }
        Duration ttl = proxy.duration("ttl", DEFAULT_TTL, Duration.ZERO, null);
        String spool = proxy.string("spooldirectory", System.getProperty("java.io.tmpdir"));
        if (!writableDirectory(spool)) {
            throw proxy.fail("spooldirectory", "must be a writable directory", spool);
        }
        return new ProxySettings(url, username, password, ttl, Path.of(spool));
    }

    private static boolean writableDirectory(String path) {
        try {
            Path p = Path.of(path);
            return Files.isDirectory(p) && Files.isWritable(p);
        } catch (InvalidPathException e) {
            return false;
        }
    }

    /** Whether tags expire (ttl 0: never). */
    public boolean expires() {
        return !ttl.isZero();
    }

    /** The upstream base without a trailing slash, e.g. {@code https://registry-1.docker.io}. */
    public String base() {
        String s = remoteUrl.toString();
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }
}
