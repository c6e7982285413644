package dev.berth.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.jboss.logging.Logger;

import dev.berth.config.ConfigError;

/**
 * An htpasswd file of bcrypt entries, re-read when it changes. Other hash formats are refused with a
 * warning naming the user. Checking an unknown user costs one bcrypt, like a known one.
 */
final class HtpasswdFile {
    private static final Logger LOG = Logger.getLogger(HtpasswdFile.class);

    private final Path path;
    private volatile Map<String, String> users;
    private volatile FileTime loadedAt;
    private volatile long generation;
    /** Compared against for unknown users, at the file's bcrypt cost, so they take as long as known ones. */
    private volatile String dummy;

    HtpasswdFile(Path path) {
        this.path = path;
        if (!Files.isRegularFile(path)) {
            throw new ConfigError("auth.htpasswd.path: file " + path + " does not exist");
        }
        try {
            reload();
        } catch (IOException e) {
            throw new ConfigError("auth.htpasswd.path: cannot read " + path + ": " + e.getMessage());
        }
    }

    /** Blocking: re-reads the file when its modification time changed. True when it did. */
    boolean reloadIfChanged() {
        try {
            FileTime now = Files.getLastModifiedTime(path);
            if (now.equals(loadedAt)) {
                return false;
            }
            reload();
            return true;
        } catch (IOException e) {
            LOG.errorf("htpasswd %s: cannot read (%s); keeping the users loaded before", path, e.getMessage());
            return false;
        }
    }

    private void reload() throws IOException {
        FileTime modified = Files.getLastModifiedTime(path);
        List<String> lines = Files.readAllLines(path, StandardCharsets.UTF_8);
        Map<String, String> parsed = new HashMap<>();
        for (String line : lines) {
            String entry = line.strip();
            if (entry.isEmpty() || entry.startsWith("#")) {
                continue;
            }
            int colon = entry.indexOf(':');
            if (colon <= 0) {
                LOG.warnf("htpasswd %s: ignoring a malformed line", path);
                continue;
            }
            String user = entry.substring(0, colon);
            String hash = entry.substring(colon + 1);
            if (!(hash.startsWith("$2a$") || hash.startsWith("$2b$") || hash.startsWith("$2y$"))) {
                LOG.warnf("htpasswd %s: user %s has a non-bcrypt password hash; only bcrypt is accepted, the entry is ignored", path, user);
                continue;
            }
            parsed.put(user, hash.startsWith("$2b$") ? "$2a$" + hash.substring(4) : hash);
        }
        int cost = parsed.values().stream().findFirst().map(h -> Integer.parseInt(h.substring(4, 6))).orElse(10);
        byte[] salt = new byte[16];
        new java.security.SecureRandom().nextBytes(salt);
        dummy = OpenBSDBCrypt.generate("2a", "berth-dummy".toCharArray(), salt, Math.max(4, Math.min(31, cost)));
        users = parsed;
        loadedAt = modified;
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
