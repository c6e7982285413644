package dev.berth.api;

/** One {@code Range: bytes=...} request against a blob of known size (RFC 9110). */
record ByteRange(long start, long end, boolean satisfiable) {

    long length() {
        return end - start + 1;
    }

    /**
     * Null when there is no range to honour (absent, not bytes, several ranges, malformed); an
     * unsatisfiable range (past the end, or ending before it starts) is answered 416.
     */
    static ByteRange parse(String header, long size) {
        if (header == null) {
            return null;
        }
        String h = header.trim();
        if (!h.startsWith("bytes=") || h.indexOf(',') >= 0) {
            return null;
        }
        String spec = h.substring("bytes=".length()).trim();
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return null;
        }
        try {
            String first = spec.substring(0, dash).trim();
            String last = spec.substring(dash + 1).trim();
            if (first.isEmpty()) {
                if (last.isEmpty()) {
                    return null;
                }
                long suffix = Long.parseLong(last);
                if (suffix <= 0 || size == 0) {
                    return new ByteRange(0, 0, false);
                }
                return new ByteRange(Math.max(0, size - suffix), size - 1, true);
            }
            long start = Long.parseLong(first);
            long end = last.isEmpty() ? size - 1 : Math.min(Long.parseLong(last), size - 1);
            if (start < 0) {
                return null;
            }
            if (!last.isEmpty() && Long.parseLong(last) < start) {
                // last before first (bytes=500-0): Distribution answers 416, not the whole blob
                return new ByteRange(0, 0, false);
            }
            if (start >= size) {
                return new ByteRange(0, 0, false);
            }
            return new ByteRange(start, end, true);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
