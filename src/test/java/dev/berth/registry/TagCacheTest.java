package dev.berth.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.berth.storage.StorageDriver;
import io.quarkus.test.junit.QuarkusTest;

/** storage.cache.tagttl (default 1s): changes here are seen at once, changes by another replica within the TTL. */
@QuarkusTest
class TagCacheTest {
    private static final Digest A = Digester.of(DigestAlgorithm.SHA256, "a".getBytes(StandardCharsets.UTF_8));
    private static final Digest B = Digester.of(DigestAlgorithm.SHA256, "b".getBytes(StandardCharsets.UTF_8));

    @Inject
    Tags tags;
    @Inject
    StorageDriver driver;

    @Test
    void changesThroughThisReplicaAreSeenAtOnce() {
        tags.tag("cache/here", "v1", A).await().indefinitely();
        assertEquals(Optional.of(A), tags.resolve("cache/here", "v1").await().indefinitely());
        tags.tag("cache/here", "v1", B).await().indefinitely();
        assertEquals(Optional.of(B), tags.resolve("cache/here", "v1").await().indefinitely());
        assertTrue(tags.untag("cache/here", "v1").await().indefinitely());
        assertEquals(Optional.empty(), tags.resolve("cache/here", "v1").await().indefinitely());
    }

    @Test
    void changesByAnotherReplicaAreSeenWithinTheTtl() throws InterruptedException {
        tags.tag("cache/elsewhere", "v1", A).await().indefinitely();
        assertEquals(Optional.of(A), tags.resolve("cache/elsewhere", "v1").await().indefinitely());
        // another replica moves the tag: it writes the link in the shared storage
        driver.putContent(StoragePaths.tagCurrentLink("cache/elsewhere", "v1"), B.toString().getBytes(StandardCharsets.UTF_8))
                .await().indefinitely();
        assertEquals(Optional.of(A), tags.resolve("cache/elsewhere", "v1").await().indefinitely(), "within the TTL");
        Thread.sleep(1200);
        assertEquals(Optional.of(B), tags.resolve("cache/elsewhere", "v1").await().indefinitely(), "after the TTL");
    }

    @Test
    void aTagCreatedByAnotherReplicaIsSeenAtOnce() {
        assertEquals(Optional.empty(), tags.resolve("cache/new", "v1").await().indefinitely());
        driver.putContent(StoragePaths.tagCurrentLink("cache/new", "v1"), A.toString().getBytes(StandardCharsets.UTF_8))
                .await().indefinitely();
        assertEquals(Optional.of(A), tags.resolve("cache/new", "v1").await().indefinitely());
    }
}
