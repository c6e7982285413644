package dev.berth.storage;

import java.util.regex.Pattern;

/** The one check every storage path passes, so no input can reach outside the storage root. */
public final class PathRules {
    private static final Pattern VALID = Pattern.compile("^(/[A-Za-z0-9._-]+)+$");

    private PathRules() {
    }

    public static String check(String path) {
        if (path == null || !VALID.matcher(path).matches()) {
            throw new InvalidPathException(path);
        }
        for (String segment : path.split("/")) {
            if (segment.equals(".") || segment.equals("..")) {
                throw new InvalidPathException(path);
            }
        }
        return path;
    }

    /** Checks a directory path; "/" is allowed here (walk or list from the root). */
    public static String checkDirectory(String path) {
        return "/".equals(path) ? path : check(path);
    }

    public static class InvalidPathException extends StorageException {
        public InvalidPathException(String path) {
            super("invalid storage path: " + path);
        }
    }
}
