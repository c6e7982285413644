package dev.berth.auth;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

import dev.berth.registry.ErrorCode;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.mutiny.core.Vertx;

/**
 * Basic authentication against an htpasswd file; any valid user may do anything (as Distribution).
 * bcrypt runs on a worker thread; a verified credential is remembered (by a hash of it) until the
 * file changes, so clients that send Basic on every request do not pay bcrypt each time.
 */
final class HtpasswdAccessController implements AccessController {
    private static final Duration RELOAD_CHECK_INTERVAL = Duration.ofSeconds(2);
    private final String realm;
    private final HtpasswdFile file;
    private final Vertx vertx;
    private final ConcurrentHashMap<String, Long> verified = new ConcurrentHashMap<>();

    HtpasswdAccessController(String realm, Path path, Vertx vertx) {
        this.realm = realm;
        this.file = new HtpasswdFile(path);
        this.vertx = vertx;
        // a change makes remembered credentials stale: they are kept with the generation they were verified against
        file.watch(vertx.getDelegate(), RELOAD_CHECK_INTERVAL);
    }

    @Override
    public Uni<Grants> authorize(HttpServerRequest request, List<Access> needed) {
        String[] credentials = basicCredentials(request.getHeader("Authorization"));
        if (credentials == null) {
            return Uni.createFrom().failure(challenge(needed, "authentication required"));
        }
        String key = fingerprint(credentials[0], credentials[1]);
        long generation = file.generation();
        Long known = verified.get(key);
        if (known != null && known == generation) {
            return Uni.createFrom().item(Grants.of(credentials[0], Grants.EVERYTHING));
        }
        return vertx.executeBlocking(Uni.createFrom().item(() -> file.verify(credentials[0], credentials[1])), false)
                .map(ok -> {
                    if (!ok) {
                        throw challenge(needed, "invalid username or password");
                    }
                    if (verified.size() > 10_000) {
                        verified.clear();
                    }
                    verified.put(key, generation);
                    return Grants.of(credentials[0], Grants.EVERYTHING);
                });
    }

    private AuthChallenge challenge(List<Access> needed, String message) {
        return new AuthChallenge(Challenges.basic(realm), ErrorCode.UNAUTHORIZED, message, needed);
    }

    /** user and password from {@code Basic base64(user:password)}, or null. */
    static String[] basicCredentials(String header) {
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        try {
            String decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            return colon < 0 ? null : new String[] {decoded.substring(0, colon), decoded.substring(colon + 1)};
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String fingerprint(String user, String password) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(user.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(password.getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
