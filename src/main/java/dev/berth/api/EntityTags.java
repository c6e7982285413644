package dev.berth.api;

import dev.berth.registry.Digest;

/** ETags of content-addressed responses (the digest) and If-None-Match matching. */
final class EntityTags {
    private EntityTags() {
    }

    static String of(Digest digest) {
        return "\"" + digest + "\"";
    }

    static boolean matches(String ifNoneMatch, Digest digest) {
        if (ifNoneMatch == null) {
            return false;
        }
        for (String tag : ifNoneMatch.split(",")) {
            String t = tag.trim();
            if (t.startsWith("W/")) {
                t = t.substring(2);
            }
            if (t.equals("*") || t.equals(of(digest)) || t.equals(digest.toString())) {
                return true;
            }
        }
        return false;
    }
}
