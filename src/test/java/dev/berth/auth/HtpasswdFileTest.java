package dev.berth.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.berth.config.ConfigError;
import dev.berth.testsupport.LogCapture;

class HtpasswdFileTest {
    @TempDir
    Path dir;

    @Test
    void missingFileIsAConfigErrorNamingTheKey() {
        ConfigError e = assertThrows(ConfigError.class, () -> new HtpasswdFile(dir.resolve("nope")));
        assertTrue(e.getMessage().startsWith("auth.htpasswd.path"), e.getMessage());
    }

    /** Log records of {@link HtpasswdFile} while {@code action} runs, as "LEVEL message". */
    static List<String> logged(ThrowingRunnable action) throws Exception {
        try (LogCapture log = LogCapture.of(HtpasswdFile.class.getName())) {
            action.run();
            return log.messages();
        }
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    /** Bumps the file's modification time past the one loaded, as an edit on a coarse clock would. */
    static void touch(Path file) throws Exception {
        Files.setLastModifiedTime(file, FileTime.from(Files.getLastModifiedTime(file).toInstant().plusSeconds(2)));
    }

    @Test
    void malformedLinesAreSkippedWithAWarningNamingTheirLineAndTheRestLoads() throws Exception {
        Path file = dir.resolve("htpasswd");
        String bob = HtpasswdProfile.bcrypt("2a", "bob-secret");
        Files.writeString(file, "# users\n"
                + "broken:$2y$\n"
                + "alice:" + HtpasswdProfile.bcrypt("2y", "alice-secret") + "\n"
                + "no colon here\n"
                + "short:$2y$05$abc\n"
                + "badcost:$2y$99$" + bob.substring(7) + "\n"
                + "badchars:$2a$05$" + "!".repeat(53) + "\n"
                + ":$2y$05$" + bob.substring(7) + "\n"
                + "bob:" + bob + "\n");
        HtpasswdFile[] loaded = new HtpasswdFile[1];
        List<String> log = logged(() -> loaded[0] = new HtpasswdFile(file));
        HtpasswdFile htpasswd = loaded[0];
        assertTrue(htpasswd.verify("alice", "alice-secret"));
        assertTrue(htpasswd.verify("bob", "bob-secret"));
        for (String user : List.of("broken", "short", "badcost", "badchars", "")) {
            assertFalse(htpasswd.verify(user, "bob-secret"), user);
        }
        for (int line : List.of(2, 4, 5, 6, 7, 8)) {
            assertTrue(log.stream().anyMatch(w -> w.startsWith("WARN") && w.contains("line " + line + ":")),
                    () -> "no warning for line " + line + " in " + log);
        }
        assertEquals(6, log.size(), log::toString);
        // a warning names the line, never the password hash
        assertTrue(log.stream().noneMatch(w -> w.contains(bob.substring(7, 20))), log::toString);
    }

    @Test
    void aMalformedLineDoesNotStopAReload() throws Exception {
        Path file = dir.resolve("htpasswd");
        Files.writeString(file, HtpasswdProfile.initialContent());
        HtpasswdFile htpasswd = new HtpasswdFile(file);
        assertTrue(htpasswd.verify("bob", "bob-secret"));

        // bob removed and a broken entry added in the same edit
        Files.writeString(file, "alice:" + HtpasswdProfile.bcrypt("2y", "alice-secret") + "\nbroken:$2y$\n");
        touch(file);
        List<String> log = logged(() -> assertTrue(htpasswd.reloadIfChanged()));
        assertFalse(htpasswd.verify("bob", "bob-secret"));
        assertTrue(htpasswd.verify("alice", "alice-secret"));
        assertTrue(log.stream().anyMatch(w -> w.startsWith("WARN") && w.contains("line 2:")), log::toString);
    }

    @Test
    void aFileThatCannotBeReadAtReloadKeepsTheUsersLoadedBeforeWithAnError() throws Exception {
        Path file = dir.resolve("htpasswd");
        Files.writeString(file, HtpasswdProfile.initialContent());
        HtpasswdFile htpasswd = new HtpasswdFile(file);
        long generation = htpasswd.generation();

        Files.delete(file);
        Files.createDirectory(file); // there, but not readable as a file
        touch(file);
        List<String> log = logged(() -> {
            assertFalse(htpasswd.reloadIfChanged());
            assertFalse(htpasswd.reloadIfChanged());
        });
        assertTrue(htpasswd.verify("alice", "alice-secret"));
        assertEquals(generation, htpasswd.generation());
        assertEquals(1, log.size(), () -> "one error, not one per poll: " + log);
        assertTrue(log.get(0).startsWith("ERROR") && log.get(0).contains(file.toString()), log::toString);

        Files.delete(file);
        Files.writeString(file, "bob:" + HtpasswdProfile.bcrypt("2y", "bob-2") + "\n");
        touch(file);
        assertTrue(htpasswd.reloadIfChanged());
        assertFalse(htpasswd.verify("alice", "alice-secret"));
        assertTrue(htpasswd.verify("bob", "bob-2"));
    }

    @Test
    void aDirectoryIsAOneLineConfigError() throws Exception {
        Path notAFile = Files.createDirectory(dir.resolve("htpasswd.d"));
        ConfigError e = assertThrows(ConfigError.class, () -> new HtpasswdFile(notAFile));
        assertTrue(e.getMessage().startsWith("auth.htpasswd.path") && !e.getMessage().contains("\n"), e.getMessage());
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
