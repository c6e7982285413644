package dev.berth.storage.filesystem;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import dev.berth.config.ConfigError;

/**
 * Checks at startup that the filesystem driver can write under its root, so a root-owned bind mount
 * (Berth's images run as uid 185 or 1001) stops startup with one line saying the fix, instead of every
 * push failing later. As registry:2 does, a missing root is created; the check writes and deletes a
 * probe file, which also catches read-only mounts, ACLs and SELinux labels that permission bits hide.
 */
final class RootDirectoryCheck {
    static final String KEY = "storage.filesystem.rootdirectory";

    private RootDirectoryCheck() {
    }

    static void requireWritable(Path root) {
        Path dir = root.toAbsolutePath().normalize();
        try {
            Files.createDirectories(dir);
            Files.delete(Files.createTempFile(dir, ".berth-write-check-", ".tmp"));
        } catch (AccessDeniedException e) {
            Path denied = e.getFile() == null ? dir : nearestExisting(Path.of(e.getFile()));
            Optional<Object> owner = owner(denied);
            throw new ConfigError(KEY + ": " + dir + " is not writable by " + currentUser() + " (permission denied on " + denied
                    + owner.map(uid -> ", owned by uid " + uid).orElse("") + "); make it writable by that user (chown " + uid()
                    + " " + dir + ", on the host for a bind mount) or run as its owner (docker run --user "
                    + owner.map(String::valueOf).orElse("UID") + ")");
        } catch (FileSystemException e) {
            String reason = e.getReason() == null ? e.getClass().getSimpleName() : e.getReason().toLowerCase();
            String fix = reason.equals("read-only file system")
                    ? "mount it read-write, or set storage.maintenance.readonly.enabled: true to serve it read-only"
                    : "point it at a directory Berth can create and write";
            throw new ConfigError(KEY + ": " + dir + " is not writable by " + currentUser() + " (" + reason
                    + (e.getFile() == null ? "" : " at " + e.getFile()) + "); " + fix);
        } catch (IOException e) {
            throw new ConfigError(KEY + ": " + dir + " is not writable by " + currentUser() + " (" + e + ")");
        }
    }

    private static Path nearestExisting(Path file) {
        Path existing = file;
        while (existing.getParent() != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        return existing;
    }

    /** The uid owning {@code path}, when the platform tells (Linux and macOS do). */
    private static Optional<Object> owner(Path path) {
        try {
            return Optional.of(Files.getAttribute(path, "unix:uid"));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static String currentUser() {
        String uid = uid();
        return uid.equals("?") ? "user " + System.getProperty("user.name") : "uid " + uid;
    }

    /** The process's uid: the owner of /proc/self on Linux; "?" elsewhere. */
    private static String uid() {
        try {
            return String.valueOf(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "?";
        }
    }
}
