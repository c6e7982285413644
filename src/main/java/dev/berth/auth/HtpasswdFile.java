package dev.berth.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.jboss.logging.Logger;

import dev.berth.config.ConfigError;
import dev.berth.config.FileWatcher;
import io.vertx.core.Vertx;

/**
 * An htpasswd file of bcrypt entries, re-read when it changes ({@link FileWatcher}). A line that is not a well-formed
 * bcrypt entry is skipped with a warning naming its line; the rest of the file still counts. Checking
 * an unknown user costs one bcrypt, like a known one.
 */
final class HtpasswdFile {
    private static final Logger LOG = Logger.getLogger(HtpasswdFile.class);
    /** What {@code htpasswd -B} writes: version, a cost of 04 to 31, then 22 salt and 31 hash characters. */
    private static final Pattern BCRYPT = Pattern.compile("\\$2[aby]\\$(?:0[4-9]|[12][0-9]|3[01])\\$[./A-Za-z0-9]{53}");

    private final Path path;
    private final FileWatcher watcher;
    private volatile Map<String, String> users;
    private volatile long generation;
    /** Compared against for unknown users, at the file's bcrypt cost, so they take as long as known ones. */
    private volatile String dummy;

    HtpasswdFile(Path path) {
        this.path = path;
        if (!Files.isRegularFile(path)) {
            throw new ConfigError("auth.htpasswd.path: " + path + (Files.exists(path) ? " is not a regular file" : " does not exist"));
        }
        byte[] content;
        try {
            content = Files.readAllBytes(path);
        } catch (IOException e) {
            throw new ConfigError("auth.htpasswd.path: cannot read " + path + ": " + e.getMessage());
        }
        load(content);
        watcher = new FileWatcher(LOG, "htpasswd", path, content, this::load);
    }

    /** Re-reads the file every {@code interval}, on a Vert.x worker. */
    FileWatcher watch(Vertx vertx, Duration interval) {
        return watcher.start(vertx, interval);
    }

    /** Blocking: re-reads the file when its content changed. True when it did. */
    boolean reloadIfChanged() {
        return watcher.check();
    }

    private void load(byte[] content) {
        List<String> lines = new String(content, StandardCharsets.UTF_8).lines().toList();
        Map<String, String> parsed = new HashMap<>();
        for (int number = 1; number <= lines.size(); number++) {
            String entry = lines.get(number - 1).strip();
            if (entry.isEmpty() || entry.startsWith("#")) {
                continue;
            }
            int colon = entry.indexOf(':');
            if (colon <= 0) {
                LOG.warnf("htpasswd %s line %d: not user:hash, the line is ignored", path, number);
                continue;
            }
            String user = entry.substring(0, colon);
            String hash = entry.substring(colon + 1);
            if (!(hash.startsWith("$2a$") || hash.startsWith("$2b$") || hash.startsWith("$2y$"))) {
                LOG.warnf("htpasswd %s line %d: user %s has a non-bcrypt password hash; only bcrypt is accepted, the entry is ignored",
                        path, number, user);
                continue;
            }
            if (!BCRYPT.matcher(hash).matches()) {
                LOG.warnf("htpasswd %s line %d: user %s has a malformed bcrypt hash, the entry is ignored", path, number, user);
                continue;
            }
            parsed.put(user, hash.startsWith("$2b$") ? "$2a$" + hash.substring(4) : hash);
        }
        int cost = parsed.values().stream().findFirst().map(h -> Integer.parseInt(h.substring(4, 6))).orElse(10);
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        dummy = OpenBSDBCrypt.generate("2a", "berth-dummy".toCharArray(), salt, Math.max(4, Math.min(31, cost)));
        users = parsed;
        generation++;
    }

    /** Which load of the file answers now; cached verdicts from an older load are stale. */
    long generation() {
        return generation;
    }

    /** Blocking (bcrypt): true when the user exists and the password matches. */
    boolean verify(String user, String password) {
        String hash = users.get(user);
        char[] secret = password.toCharArray();
        if (hash == null) {
            checkQuietly(dummy, secret);
            return false;
        }
        return checkQuietly(hash, secret);
    }

    private static boolean checkQuietly(String hash, char[] password) {
        try {
            return OpenBSDBCrypt.checkPassword(hash, password);
        } catch (RuntimeException e) {
            return false;
        }
    }
}
