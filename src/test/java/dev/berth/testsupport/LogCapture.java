package dev.berth.testsupport;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** What a logger (and those below it) logs while the capture is open, as "LEVEL [logger] message[: thrown]" lines. */
public final class LogCapture implements AutoCloseable {
    private final Logger logger;
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Handler handler;

    private LogCapture(String loggerName, Predicate<LogRecord> kept) {
        this.logger = Logger.getLogger(loggerName);
        this.handler = new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (kept.test(r)) {
                    lines.add(r.getLevel() + " [" + r.getLoggerName() + "] " + message(r) + (r.getThrown() == null ? "" : ": " + r.getThrown()));
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.addHandler(handler);
    }

    /** Every record of {@code loggerName} ("" for all). */
    public static LogCapture of(String loggerName) {
        return new LogCapture(loggerName, r -> true);
    }

    /** The records of {@code loggerName} at {@code level} or above. */
    public static LogCapture atLeast(String loggerName, Level level) {
        return new LogCapture(loggerName, r -> r.getLevel().intValue() >= level.intValue());
    }

    /** What was captured so far. */
    public List<String> lines() {
        return List.copyOf(lines);
    }

    /** Just the messages with their levels, "LEVEL message". */
    public List<String> messages() {
        return lines.stream().map(l -> l.replaceFirst(" \\[[^]]*\\]", "")).toList();
    }

    private static String message(LogRecord r) {
        // JBoss Logging's printf style (%s) and java.util.logging's ({0}) alike
        return r.getParameters() == null ? r.getMessage() : String.format(r.getMessage().replaceAll("\\{\\d+\\}", "%s"), r.getParameters());
    }

    @Override
    public void close() {
        logger.removeHandler(handler);
    }
}
