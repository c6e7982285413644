package dev.berth.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;

class RequestIdsTest {

    @Test
    void newIdsAreDistinctVersion4Uuids() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            String id = RequestIds.newId();
            UUID uuid = UUID.fromString(id);
            assertEquals(4, uuid.version(), id);
            assertEquals(2, uuid.variant(), id);
            assertEquals(id, uuid.toString());
            assertTrue(RequestIds.acceptable(id), id);
            assertTrue(seen.add(id), "repeated " + id);
        }
    }

    @Test
    void clientIdsMustBePrintableAndShort() {
        assertTrue(RequestIds.acceptable("req-42"));
        assertFalse(RequestIds.acceptable(""));
        assertFalse(RequestIds.acceptable("a b"));
        assertFalse(RequestIds.acceptable("quote\"d"));
        assertFalse(RequestIds.acceptable("x".repeat(201)));
    }
}
