package dev.berth.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.berth.config.ConfigError;

class HtpasswdFileTest {
    @TempDir
    Path dir;

    @Test
    void missingFileIsAConfigErrorNamingTheKey() {
        ConfigError e = assertThrows(ConfigError.class, () -> new HtpasswdFile(dir.resolve("nope")));
        assertTrue(e.getMessage().startsWith("auth.htpasswd.path"), e.getMessage());
    }

    @Test
    void bcryptVersionsVerifyOthersDoNot() throws Exception {
        Path file = dir.resolve("htpasswd");
        Files.writeString(file, HtpasswdProfile.initialContent() + "bee:" + HtpasswdProfile.bcrypt("2b", "b-pw") + "\nmalformed line\n");
        HtpasswdFile htpasswd = new HtpasswdFile(file);
        assertTrue(htpasswd.verify("alice", "alice-secret"));
        assertTrue(htpasswd.verify("bob", "bob-secret"));
        assertTrue(htpasswd.verify("bee", "b-pw"));
        assertFalse(htpasswd.verify("bee", "b-pw2"));
        assertFalse(htpasswd.verify("sha", "password"));
        assertFalse(htpasswd.verify("apr", "password"));
        assertFalse(htpasswd.verify("nobody", "alice-secret"));

        long generation = htpasswd.generation();
        assertFalse(htpasswd.reloadIfChanged());
        Files.writeString(file, "alice:" + HtpasswdProfile.bcrypt("2y", "changed") + "\n");
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(5)));
        assertTrue(htpasswd.reloadIfChanged());
        assertEquals(generation + 1, htpasswd.generation());
        assertFalse(htpasswd.verify("alice", "alice-secret"));
        assertTrue(htpasswd.verify("alice", "changed"));
        assertFalse(htpasswd.verify("bob", "bob-secret"));
    }
}
