package dev.berth.logging;

import java.util.logging.Filter;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import io.quarkus.logging.LoggingFilter;

/**
 * Renames a record's level to the name Distribution's logger (logrus) writes, {@code info} for
 * {@code INFO}, {@code warning} for {@code WARN}, so JSON log pipelines written for registry:2 match.
 * A filter because Quarkus' JSON formatter has no option to rename level values; a record keeps its
 * level's value, so nothing is logged or dropped differently. Installed on the console only with the JSON formatter.
 */
@LoggingFilter(name = LogrusLevels.NAME)
public final class LogrusLevels implements Filter {
    public static final String NAME = "logrus-levels";

    // the values of JBoss' and java.util.logging's levels, renamed; records keep their level's value
    private static final Level FATAL = new Named("fatal", 1100);
    private static final Level ERROR = new Named("error", 1000);
    private static final Level WARNING = new Named("warning", 900);
    private static final Level INFO = new Named("info", 800);
    private static final Level CONFIG = new Named("debug", 700);
    private static final Level DEBUG = new Named("debug", 500);
    private static final Level TRACE = new Named("trace", 400);
    private static final Level FINEST = new Named("trace", 300);

    @Override
    public boolean isLoggable(LogRecord record) {
        record.setLevel(logrus(record.getLevel()));
        return true;
    }

    private static Level logrus(Level level) {
        return switch (level.intValue()) {
            case 1100 -> FATAL;
            case 1000 -> ERROR;
            case 900 -> WARNING;
            case 800 -> INFO;
            case 700 -> CONFIG;
            case 500 -> DEBUG;
            case 400 -> TRACE;
            case 300 -> FINEST;
            default -> new Named(nameOf(level.intValue()), level.intValue());
        };
    }

    private static String nameOf(int value) {
        if (value > 1000) {
            return "fatal";
        }
        if (value > 900) {
            return "error";
        }
        if (value > 800) {
            return "warning";
        }
        if (value >= 800) {
            return "info";
        }
        return value >= 500 ? "debug" : "trace";
    }

    /** java.util.logging.Level's constructor is protected. */
    private static final class Named extends Level {
        private Named(String name, int value) {
            super(name, value);
        }
    }
}
