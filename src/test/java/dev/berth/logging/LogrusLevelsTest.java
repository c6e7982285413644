package dev.berth.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.logging.Level;

import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.Test;

class LogrusLevelsTest {
    private final LogrusLevels filter = new LogrusLevels();

    @Test
    void jbossLevelsAreNamedAsDistributionWritesThem() {
        assertRenamed(org.jboss.logmanager.Level.FATAL, "fatal");
        assertRenamed(org.jboss.logmanager.Level.ERROR, "error");
        assertRenamed(org.jboss.logmanager.Level.WARN, "warning");
        assertRenamed(org.jboss.logmanager.Level.INFO, "info");
        assertRenamed(org.jboss.logmanager.Level.DEBUG, "debug");
        assertRenamed(org.jboss.logmanager.Level.TRACE, "trace");
    }

    @Test
    void javaUtilLoggingAndOddLevelsToo() {
        assertRenamed(Level.SEVERE, "error");
        assertRenamed(Level.WARNING, "warning");
        assertRenamed(Level.CONFIG, "debug");
        assertRenamed(Level.FINEST, "trace");
        assertRenamed(Level.parse("850"), "warning");
        assertRenamed(Level.parse("1200"), "fatal");
    }

    private void assertRenamed(Level level, String name) {
        ExtLogRecord record = new ExtLogRecord(level, "message", LogrusLevelsTest.class.getName());
        assertTrue(filter.isLoggable(record), "a record is never dropped");
        assertEquals(name, record.getLevel().getName(), level.getName());
        assertEquals(level.intValue(), record.getLevel().intValue(), "the level keeps its value");
    }
}
