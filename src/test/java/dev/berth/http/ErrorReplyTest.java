package dev.berth.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.net.SocketException;
import java.nio.file.FileSystemException;
import java.util.concurrent.CompletionException;

import org.junit.jupiter.api.Test;

import dev.berth.registry.ErrorCode;
import dev.berth.storage.StorageException;
import dev.berth.storage.StorageRefusedException;
import dev.berth.storage.StorageUnavailableException;

/** The status, code and message each storage failure is answered with. */
class ErrorReplyTest {

    @Test
    void aFullStoreIs507NamingTheCause() {
        ErrorReply reply = ErrorReply.of(new StorageRefusedException(true, "insufficient storage: no space left on device", "log", null));
        assertEquals(507, reply.status());
        assertEquals("UNKNOWN", reply.body().errors().get(0).code());
        assertEquals("insufficient storage: no space left on device", reply.body().errors().get(0).message());
        assertFalse(reply.retryLater());
    }

    @Test
    void aStoreThatRefusesWritesIs503NamingTheCause() {
        ErrorReply reply = ErrorReply.of(new StorageRefusedException(false, "storage denies access: s3 PutObject 403 AccessDenied", "log", null));
        assertEquals(503, reply.status());
        assertEquals("UNAVAILABLE", reply.body().errors().get(0).code());
        assertEquals("storage denies access: s3 PutObject 403 AccessDenied", reply.body().errors().get(0).message());
        assertFalse(reply.retryLater());
    }

    @Test
    void aDiskErrorNoDriverTranslatedIsStillNamed() {
        ErrorReply reply = ErrorReply.of(new CompletionException(
                new FileSystemException("/var/lib/registry/x", null, "No space left on device")));
        assertEquals(507, reply.status());
        assertEquals("insufficient storage: no space left on device", reply.body().errors().get(0).message());
    }

    @Test
    void unavailableStaysRetryable() {
        ErrorReply reply = ErrorReply.of(new StorageUnavailableException("s3 GetObject /x: timeout", false, null));
        assertEquals(503, reply.status());
        assertEquals(true, reply.retryLater());
    }

    @Test
    void aClientsCutBodyIsTheClientsErrorHoweverAStoreWrappedIt() {
        ClientAbortedException cut = new ClientAbortedException(ErrorCode.BLOB_UPLOAD_INVALID, new SocketException("Connection reset"));
        for (Throwable failure : new Throwable[] {cut, new StorageException("filesystem: /x: " + cut.getMessage(), cut),
                new StorageUnavailableException("s3 UploadPart /x", false, new CompletionException(cut))}) {
            ErrorReply reply = ErrorReply.of(failure);
            assertEquals(400, reply.status(), failure.toString());
            assertEquals("BLOB_UPLOAD_INVALID", reply.body().errors().get(0).code());
            assertEquals("the request body could not be read: Connection reset",
                    reply.body().errors().get(0).message());
            assertFalse(reply.retryLater());
        }
    }
}
