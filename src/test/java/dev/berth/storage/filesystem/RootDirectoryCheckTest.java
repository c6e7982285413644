package dev.berth.storage.filesystem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.berth.config.ConfigError;

class RootDirectoryCheckTest {
    @TempDir
    Path work;

    @Test
    void aMissingRootIsCreatedAndNothingIsLeftInIt() throws IOException {
        Path root = work.resolve("a/b/registry");
        RootDirectoryCheck.requireWritable(root);
        assertTrue(Files.isDirectory(root));
        try (var entries = Files.list(root)) {
            assertEquals(List.of(), entries.toList());
        }
    }

    @Test
    void aRootThatCannotBeCreatedStopsStartupNamingTheKeyAndPath() throws IOException {
        Path file = Files.writeString(work.resolve("file"), "not a directory");
        ConfigError e = assertThrows(ConfigError.class, () -> RootDirectoryCheck.requireWritable(file.resolve("registry")));
        assertTrue(e.getMessage().startsWith("storage.filesystem.rootdirectory: " + file.resolve("registry") + " is not writable by "),
                e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }

    /** The container case: a directory the user may not write (root-owned bind mount, Berth as uid 185). */
    @Test
    void aDirectoryWithoutWritePermissionSaysHowToFixIt() throws IOException {
        Path root = Files.createDirectory(work.resolve("root-owned"));
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            assumeTrue(!canWrite(root), "running as root: permission bits do not stop writes");
            ConfigError e = assertThrows(ConfigError.class, () -> RootDirectoryCheck.requireWritable(root));
            assertTrue(e.getMessage().contains("permission denied"), e.getMessage());
            assertTrue(e.getMessage().contains("chown "), e.getMessage());
            assertTrue(e.getMessage().contains("--user"), e.getMessage());
        } finally {
            Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    /** A read-only mount stops writes even for root; mounting needs root, so elsewhere this is skipped. */
    @Test
    void aReadOnlyMountSaysSo() throws Exception {
        Path root = Files.createDirectory(work.resolve("ro"));
        assumeTrue(run("mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", root.toString()), "cannot mount a tmpfs here");
        try {
            ConfigError e = assertThrows(ConfigError.class, () -> RootDirectoryCheck.requireWritable(root));
            assertTrue(e.getMessage().contains("read-only file system"), e.getMessage());
            assertTrue(e.getMessage().contains("storage.maintenance.readonly.enabled"), e.getMessage());
        } finally {
            run("umount", root.toString());
        }
    }

    private static boolean canWrite(Path dir) {
        try {
            Files.delete(Files.createTempFile(dir, "probe", ".tmp"));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    }
}
