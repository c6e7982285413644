package dev.berth.storage;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.util.Optional;

/**
 * The store refuses the operation and retrying soon will not help: it is full or over quota (507),
 * read-only or denies the registry access (503). {@link #reason()} names the cause for the client,
 * without storage paths; the message adds the operation and path for the log.
 */
public class StorageRefusedException extends StorageException {
    private final boolean full;
    private final String reason;

    public StorageRefusedException(boolean full, String reason, String message, Throwable cause) {
        super(message, cause);
        this.full = full;
        this.reason = reason;
    }

    /** Out of space or quota: Insufficient Storage rather than unavailable. */
    public boolean full() {
        return full;
    }

    /** What the client is told, e.g. "insufficient storage: no space left on device". */
    public String reason() {
        return reason;
    }

    /**
     * The refusal an operating-system error in {@code failure}'s causes stands for, if any. The JDK
     * has no subclasses for these errno values: a {@link FileSystemException} carries strerror's text
     * as its reason, a plain {@code IOException} (an asynchronous channel's write) as its message.
     */
    public static Optional<StorageRefusedException> ofFileSystem(Throwable failure, String what) {
        for (Throwable c = failure; c != null; c = c.getCause()) {
            if (c instanceof StorageRefusedException refused) {
                return Optional.of(refused);
            }
            if (c instanceof AccessDeniedException) {
                return Optional.of(refused(false, "storage denies access: permission denied", what, c));
            }
            if (!(c instanceof IOException)) {
                continue;
            }
            String text = c instanceof FileSystemException fse && fse.getReason() != null ? fse.getReason() : c.getMessage();
            if (text == null) {
                continue;
            }
            if (text.contains("No space left on device")) {
                return Optional.of(refused(true, "insufficient storage: no space left on device", what, c));
            }
            if (text.contains("Disk quota exceeded")) {
                return Optional.of(refused(true, "insufficient storage: disk quota exceeded", what, c));
            }
            if (text.contains("Read-only file system")) {
                return Optional.of(refused(false, "storage refuses writes: read-only file system", what, c));
            }
            if (text.contains("Permission denied") || text.contains("Operation not permitted")) {
                return Optional.of(refused(false, "storage denies access: permission denied", what, c));
            }
        }
        return Optional.empty();
    }

    private static StorageRefusedException refused(boolean full, String reason, String what, Throwable cause) {
        return new StorageRefusedException(full, reason, what + ": " + reason + " (" + cause + ")", cause);
    }
}
