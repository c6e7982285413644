package dev.berth.storage.s3;

import java.util.Optional;

import dev.berth.storage.PathRules;

/**
 * Storage paths to object keys and back, exactly as Distribution's {@code s3Path}: the root
 * directory trimmed of slashes, then the path, without a leading slash. So a bucket written by
 * Distribution is read by Berth, and the other way round.
 */
final class S3Keys {
    /**
     * Suffix of the object that holds an open upload's unfinished part. '~' is not allowed in
     * storage paths, so no file can collide with it and listings skip it; Distribution ignores it.
     */
    static final String TAIL_SUFFIX = "~tail";

    private final String root;

    S3Keys(String rootDirectory) {
        this.root = trimSlashes(rootDirectory);
    }

    /** The object key of a file path; "/" gives the root's prefix ("" or "root/"). */
    String key(String path) {
        String joined = root + path;
        int start = 0;
        while (start < joined.length() && joined.charAt(start) == '/') {
            start++;
        }
        return joined.substring(start);
    }

    /** The prefix every key below the directory {@code path} starts with. */
    String directoryPrefix(String path) {
        String key = key(path);
        return key.isEmpty() || key.endsWith("/") ? key : key + "/";
    }

    String tailKey(String path) {
        return key(path) + TAIL_SUFFIX;
    }

    /** The storage path of a key from a listing, or empty for keys that are no storage path (tails, strays). */
    Optional<String> path(String key) {
        if (key.endsWith("/")) {
            key = key.substring(0, key.length() - 1);
        }
        String rootPrefix = root.isEmpty() ? "" : root + "/";
        if (!key.startsWith(rootPrefix)) {
            return Optional.empty();
        }
        String path = "/" + key.substring(rootPrefix.length());
        try {
            return Optional.of(PathRules.check(path));
        } catch (PathRules.InvalidPathException e) {
            return Optional.empty();
        }
    }

    /** Whether {@code key} is the file {@code path} itself, or below it ("/a" covers "a/b" but not "ab"). */
    boolean covers(String path, String key) {
        String self = key(path);
        return key.equals(self) || key.startsWith(directoryPrefix(path)) || key.equals(self + TAIL_SUFFIX);
    }

    private static String trimSlashes(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && s.charAt(start) == '/') {
            start++;
        }
        while (end > start && s.charAt(end - 1) == '/') {
            end--;
        }
        return s.substring(start, end);
    }
}
