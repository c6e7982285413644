package dev.berth.registry;

import java.util.regex.Pattern;

/** The OCI grammar for repository names and tags. */
public final class Names {
    private static final Pattern NAME = Pattern.compile(
            "[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*)*");
    private static final Pattern TAG = Pattern.compile("[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}");
    /** Distribution's limit on a repository name. */
    private static final int MAX_NAME_LENGTH = 255;

    private Names() {
    }

    public static String repository(String name) {
        if (name == null || name.length() > MAX_NAME_LENGTH || !NAME.matcher(name).matches()) {
            throw new RegistryException(ErrorCode.NAME_INVALID, "invalid repository name: " + Digest.abbreviate(name));
        }
        return name;
    }

    public static boolean isTag(String tag) {
        return tag != null && TAG.matcher(tag).matches();
    }

    public static String tag(String tag) {
        if (!isTag(tag)) {
            throw new RegistryException(ErrorCode.TAG_INVALID, "invalid tag: " + Digest.abbreviate(tag));
        }
        return tag;
    }
}
