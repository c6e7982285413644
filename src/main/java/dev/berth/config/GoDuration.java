package dev.berth.config;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;

/**
 * Parses Go duration strings ({@code time.ParseDuration}): "90s", "1h30m", "1.5h", "-2m", "300ms",
 * "0". Distribution's config values are written this way.
 */
public final class GoDuration {
    private static final BigInteger MAX_NANOS = BigInteger.valueOf(Long.MAX_VALUE);

    private GoDuration() {
    }

    /** @throws IllegalArgumentException with the reason, for a string Go would reject */
    public static Duration parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("empty duration");
        }
        String s = text;
        boolean negative = false;
        if (s.charAt(0) == '-' || s.charAt(0) == '+') {
            negative = s.charAt(0) == '-';
            s = s.substring(1);
        }
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        if (s.isEmpty()) {
            throw new IllegalArgumentException("invalid duration \"" + text + "\"");
        }
        BigDecimal nanos = BigDecimal.ZERO;
        int i = 0;
        while (i < s.length()) {
            int start = i;
            while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
                i++;
            }
            String number = s.substring(start, i);
            if (number.isEmpty() || number.equals(".") || number.indexOf('.') != number.lastIndexOf('.')) {
                throw new IllegalArgumentException("invalid duration \"" + text + "\"");
            }
            int unitStart = i;
            while (i < s.length() && !Character.isDigit(s.charAt(i)) && s.charAt(i) != '.') {
                i++;
            }
            String unit = s.substring(unitStart, i);
            if (unit.isEmpty()) {
                throw new IllegalArgumentException("missing unit in duration \"" + text + "\"");
            }
            nanos = nanos.add(new BigDecimal(number).multiply(BigDecimal.valueOf(unitNanos(unit, text))));
        }
        BigInteger whole = nanos.toBigInteger();
        if (whole.compareTo(MAX_NANOS) > 0) {
            throw new IllegalArgumentException("invalid duration \"" + text + "\": too large");
        }
        long n = whole.longValueExact();
        return Duration.ofNanos(negative ? -n : n);
    }

    /** The shortest Go form of a whole number of one unit: 168h, 10m, 1s, 500ms (for messages). */
    public static String format(Duration duration) {
        long nanos = duration.toNanos();
        if (nanos == 0) {
            return "0s";
        }
        for (String unit : new String[] {"h", "m", "s", "ms", "us"}) {
            long size = unitNanos(unit, unit);
            if (nanos % size == 0) {
                return nanos / size + unit;
            }
        }
        return nanos + "ns";
    }

    private static long unitNanos(String unit, String text) {
        return switch (unit) {
            case "ns" -> 1L;
            case "us", "\u00b5s", "\u03bcs" -> 1_000L;
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m" -> 60_000_000_000L;
            case "h" -> 3_600_000_000_000L;
            default -> throw new IllegalArgumentException("unknown unit \"" + unit + "\" in duration \"" + text + "\"");
        };
    }
}
