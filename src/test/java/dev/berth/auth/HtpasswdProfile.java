package dev.berth.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Map;

import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

import io.quarkus.test.junit.QuarkusTestProfile;

/** {@code auth.htpasswd} with a file written under target/ (its path in a system property, shared with the test). */
public class HtpasswdProfile implements QuarkusTestProfile {
    static final String REALM = "Berth Test Realm";

    static synchronized Path file() {
        String property = "berth.test.htpasswd";
        String path = System.getProperty(property);
        if (path == null) {
            path = Path.of("target", "htpasswd-" + ProcessHandle.current().pid() + "-" + System.currentTimeMillis(), "htpasswd")
                    .toAbsolutePath().toString();
            System.setProperty(property, path);
        }
        return Path.of(path);
    }

    static String bcrypt(String version, String password) {
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        return OpenBSDBCrypt.generate(version, password.toCharArray(), salt, 5);
    }

    /** alice ($2y$, as htpasswd -B writes), bob ($2a$), and two non-bcrypt entries. */
    static String initialContent() {
        return "# test users\n"
                + "alice:" + bcrypt("2y", "alice-secret") + "\n"
                + "bob:" + bcrypt("2a", "bob-secret") + "\n"
                + "sha:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=\n"
                + "apr:$apr1$salt1234$0Qdj7kSx0dp8YDM2m9hDt/\n";
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        Path file = file();
        Path config = file.resolveSibling("htpasswd.yml");
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, initialContent(), StandardCharsets.UTF_8);
            Files.writeString(config, """
                    version: 0.1
                    log:
                      level: info
                      accesslog:
                        disabled: true
                    storage:
                      inmemory:
                    http:
                      secret: test-secret
                    auth:
                      htpasswd:
                        realm: %s
                        path: %s
                    """.formatted(REALM, file));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return Map.of("berth.config", config.toString());
    }
}
