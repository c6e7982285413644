package dev.berth.notifications;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Map;

import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * Filesystem storage with four notification endpoints on one {@link EventReceiver}: {@code main} (all
 * events, with a header, fast retries), {@code ignoring} (no pulls, no blobs), {@code stuck} (never
 * answered; a small queue overflows) and a disabled one. The access log is on: its test
 * ({@code dev.berth.logging.AccessLogApiTest}) shares this profile rather than start another application.
 */
public class NotificationsProfile implements QuarkusTestProfile {
    static final int QUEUE_SIZE = 50;

    public static final String USER = "pusher";
    public static final String PASSWORD = "pusher-secret";

    /** Filesystem storage, the default: blob pulls are sent as files (zero-copy), whose end the events must see too. */
    private static Path root() {
        try {
            return Files.createTempDirectory(Path.of("target").toAbsolutePath(), "notifications-data-");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A user, so that events name their actor. */
    private static Path htpasswd() {
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        try {
            Path file = Files.createTempFile(Path.of("target"), "notifications-", ".htpasswd");
            return Files.writeString(file, USER + ":" + OpenBSDBCrypt.generate("2y", PASSWORD.toCharArray(), salt, 5) + "\n");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        EventReceiver receiver = EventReceiver.instance();
        String yaml = """
                version: 0.1
                log:
                  level: info
                storage:
                  filesystem:
                    rootdirectory: %s
                  delete:
                    enabled: true
                http:
                  secret: test-secret
                auth:
                  htpasswd:
                    realm: events
                    path: %s
                notifications:
                  events:
                    includereferences: true
                  endpoints:
                    - name: main
                      url: %s
                      headers:
                        Authorization: [Bearer events-token]
                      timeout: 2s
                      threshold: 3
                      backoff: 200ms
                    - name: ignoring
                      url: %s
                      ignoredmediatypes: [application/octet-stream]
                      ignore:
                        actions: [pull]
                    - name: stuck
                      url: %s
                      timeout: 60s
                    - name: off
                      disabled: true
                      url: %s
                """.formatted(root(), htpasswd(), receiver.url("/main"), receiver.url("/ignoring"), receiver.url("/stuck"), receiver.url("/off"));
        try {
            Path config = Files.createTempFile(Path.of("target"), "notifications-", ".yml");
            Files.writeString(config, yaml);
            return Map.of("berth.config", config.toString(), "berth.notifications.queue-size", Integer.toString(QUEUE_SIZE));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
