package dev.berth.storage.filesystem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

import org.junit.jupiter.api.Test;

import dev.berth.storage.PathNotFoundException;
import dev.berth.storage.StorageException;
import dev.berth.storage.StorageRefusedException;

/** What the JDK's disk errors become: refusals that name their cause, not anonymous failures. */
class FilesystemErrorsTest {

    private static StorageRefusedException refused(Throwable e) {
        return assertInstanceOf(StorageRefusedException.class, FilesystemDriver.translate(e, "/p"));
    }

    @Test
    void aFullDiskOrQuotaIsInsufficientStorage() {
        // Files.* and Vert.x's file system report errno as a FileSystemException's reason
        StorageRefusedException full = refused(new FileSystemException("/root/x", null, "No space left on device"));
        assertTrue(full.full());
        assertEquals("insufficient storage: no space left on device", full.reason());
        assertTrue(full.getMessage().contains("/p"), "the log names the path: " + full.getMessage());
        // an asynchronous channel's write reports it as a plain IOException, and Vert.x wraps it
        assertTrue(refused(new io.vertx.core.file.FileSystemException(new IOException("No space left on device"))).full());
        assertTrue(refused(new FileSystemException("/root/x", null, "Disk quota exceeded")).full());
        assertEquals("insufficient storage: disk quota exceeded",
                refused(new FileSystemException("/root/x", null, "Disk quota exceeded")).reason());
        // mkdirs wraps its failure in a StorageException before translate sees it
        assertTrue(refused(new StorageException("cannot create directory for /x",
                new FileSystemException("/x", null, "No space left on device"))).full());
    }

    @Test
    void aReadOnlyOrForbiddenDiskRefusesWrites() {
        StorageRefusedException readOnly = refused(new FileSystemException("/root/x", null, "Read-only file system"));
        assertFalse(readOnly.full());
        assertEquals("storage refuses writes: read-only file system", readOnly.reason());
        StorageRefusedException denied = refused(new AccessDeniedException("/root/x"));
        assertFalse(denied.full());
        assertEquals("storage denies access: permission denied", denied.reason());
    }

    @Test
    void otherErrorsKeepTheirMeaning() {
        assertInstanceOf(PathNotFoundException.class, FilesystemDriver.translate(new NoSuchFileException("/x"), "/p"));
        Throwable other = FilesystemDriver.translate(new FileSystemException("/x", null, "Input/output error"), "/p");
        assertEquals(StorageException.class, other.getClass());
    }
}
