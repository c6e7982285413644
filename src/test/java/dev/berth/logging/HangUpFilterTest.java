package dev.berth.logging;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.util.concurrent.CancellationException;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import org.junit.jupiter.api.Test;

/** Which library records of a client's hang-up are dropped, and that the others stay. */
class HangUpFilterTest {
    private final HangUpFilter filter = new HangUpFilter();

    @Test
    void aHangUpOrACancelledS3RequestIsDropped() throws Exception {
        assertFalse(filter.isLoggable(record(new IOException("Broken pipe"))));
        // the SDK's own exception, as its cancel handler's failure is logged with it
        Constructor<?> cancelled = Class.forName("software.amazon.awssdk.http.nio.netty.internal.FutureCancelledException")
                .getDeclaredConstructor(long.class, Throwable.class);
        cancelled.setAccessible(true);
        assertFalse(filter.isLoggable(record((Throwable) cancelled.newInstance(7L, new CancellationException()))));
    }

    @Test
    void everythingElseStays() {
        assertTrue(filter.isLoggable(record(new IOException("Underlying file size 25165824 smaller then requested count 1048576"))));
        assertTrue(filter.isLoggable(record(new CancellationException())));
        assertTrue(filter.isLoggable(record(null)));
    }

    private static LogRecord record(Throwable thrown) {
        LogRecord r = new LogRecord(Level.SEVERE, "failed");
        r.setThrown(thrown);
        return r;
    }
}
