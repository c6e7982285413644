package dev.berth.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.jboss.logging.Logger;

import dev.berth.config.ConfigError;

/**
 * An htpasswd file of bcrypt entries, re-read when it changes. A line that is not a well-formed
 * bcrypt entry is skipped with a warning naming its line; the rest of the file still counts. Checking
 * an unknown user costs one bcrypt, like a known one.
 */
final class HtpasswdFile {
    private static final Logger LOG = Logger.getLogger(HtpasswdFile.class);
    /** What {@code htpasswd -B} writes: version, a cost of 04 to 31, then 22 salt and 31 hash characters. */
    private static final Pattern BCRYPT = Pattern.compile("\\$2[aby]\\$(?:0[4-9]|[12][0-9]|3[01])\\$[./A-Za-z0-9]{53}");

    private final Path path;
    private volatile Map<String, String> users;
    private volatile FileTime loadedAt;
    private volatile long generation;
    /** The last reload failure logged, so a file that stays unreadable is reported once, not every poll. */
    private volatile String lastFailure;
    /** Compared against for unknown users, at the file's bcrypt cost, so they take as long as known ones. */
    private volatile String dummy;

    HtpasswdFile(Path path) {
        this.path = path;
        if (!Files.isRegularFile(path)) {
            throw new ConfigError("auth.htpasswd.path: " + path + (Files.exists(path) ? " is not a regular file" : " does not exist"));
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
            lastFailure = null;
            return true;
        } catch (IOException | RuntimeException e) {
            String failure = e instanceof NoSuchFileException ? "no such file" : String.valueOf(e.getMessage());
            if (!failure.equals(lastFailure)) {
                LOG.errorf("htpasswd %s: cannot read (%s); keeping the users loaded before", path, failure);
                lastFailure = failure;
            }
            return false;
        }
    }

    private void reload() throws IOException {
        FileTime modified = Files.getLastModifiedTime(path);
        List<String> lines = Files.readAllLines(path, StandardCharsets.UTF_8);
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
