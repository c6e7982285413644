package dev.berth.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.berth.config.HttpConfig;
import dev.berth.storage.StorageDriver;
import dev.berth.storage.StorageTestSupport;
import dev.berth.storage.filesystem.FilesystemDriver;
import dev.berth.storage.inmemory.InMemoryDriver;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.mutiny.core.Vertx;

/**
 * Without {@code http.secret}, replicas starting together on fresh storage agree on one generated
 * secret: an upload URL signed by any of them opens on every other (today 5-7 of 8 concurrent first
 * uploads failed with BLOB_UPLOAD_INVALID).
 */
class GeneratedSecretTest {
    private static Vertx vertx;

    @TempDir
    Path dir;

    @BeforeAll
    static void startVertx() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stopVertx() {
        vertx.closeAndAwait();
    }

    @Test
    void concurrentFirstUploadsOnTheFilesystemAgreeOnOneSecret() {
        assertOneSecret(new FilesystemDriver(vertx, dir));
    }

    @Test
    void concurrentFirstUploadsInMemoryAgreeOnOneSecret() {
        assertOneSecret(new InMemoryDriver());
    }

    /** Eight "replicas" (each its own UploadTokens) ask for the secret at once. */
    static void assertOneSecret(StorageDriver driver) {
        List<UploadTokens> replicas = new ArrayList<>();
        List<Uni<UploadToken>> tokens = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            UploadTokens replica = new UploadTokens();
            replica.http = withoutSecret();
            replica.driver = driver;
            replicas.add(replica);
            // each on its own thread, as replicas are: a synchronous driver would otherwise run them in turn
            tokens.add(Uni.createFrom().deferred(replica::get).runSubscriptionOn(Infrastructure.getDefaultWorkerPool()));
        }
        List<UploadToken> all = StorageTestSupport.await(Uni.join().all(tokens).andFailFast());
        UploadToken.State state = new UploadToken.State("repo", "uuid", 42, "now");
        for (UploadToken signer : all) {
            String sealed = signer.seal(state);
            for (UploadToken opener : all) {
                assertEquals(state, opener.open(sealed), "a URL signed by one replica opens on every other");
            }
        }
    }

    private static HttpConfig withoutSecret() {
        return (HttpConfig) Proxy.newProxyInstance(HttpConfig.class.getClassLoader(), new Class<?>[] { HttpConfig.class },
                (proxy, method, args) -> method.getReturnType() == Optional.class ? Optional.empty() : null);
    }
}
