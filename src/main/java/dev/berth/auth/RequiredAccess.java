package dev.berth.auth;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.vertx.core.http.HttpMethod;

/**
 * What a request needs, as Distribution decides it: GET/HEAD pull; POST/PUT/PATCH pull and push;
 * DELETE delete; a cross-repository mount also pull on {@code from}; the catalog
 * {@code registry:catalog:*}; {@code /v2/} any valid credential (an empty list); anything else under
 * {@code /v2/} is no route (null).
 */
public final class RequiredAccess {
    /** The API's routes below a repository name; the name is the longest prefix, as the resources match. */
    private static final Pattern ROUTE = Pattern.compile(
            "^/v2/(.+)/(?:blobs/uploads(?:/[^/]*)?|blobs/[^/]+|manifests/[^/]+|tags/list|referrers/[^/]+)/?$");
    /** The routes also answer with a trailing slash, so every pattern allows one. */
    private static final Pattern BASE = Pattern.compile("^/v2/?$");
    private static final Pattern CATALOG = Pattern.compile("^/v2/_catalog/?$");

    private RequiredAccess() {
    }

    /**
     * The repository a path names, or null for /v2/, the catalog and unknown routes. Matched on the
     * same (still encoded) path as the routes, then percent-decoded as the routes decode their
     * {@code name} parameter: {@code a%2Fb} is served as {@code a/b}, so it must be authorized as
     * {@code a/b}.
     */
    static String repository(String path) {
        Matcher m = ROUTE.matcher(path);
        return m.matches() ? decode(m.group(1)) : null;
    }

    private static String decode(String name) {
        if (name.indexOf('%') < 0) {
            return name;
        }
        try {
            return java.net.URLDecoder.decode(name.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformed) {
            // a name holding '%' is invalid; the resource refuses it
            return name;
        }
    }

    /**
     * The accesses a request needs: empty for the base route (any valid credential), null for a
     * path that is no route of the API (refused without asking the controller: nothing that is
     * not understood here may reach a resource).
     */
    public static List<Access> of(HttpMethod method, String path, String mountFrom) {
        List<Access> needed = new ArrayList<>();
        if (CATALOG.matcher(path).matches()) {
            needed.add(Access.CATALOG);
            return needed;
        }
        if (BASE.matcher(path).matches()) {
            return needed;
        }
        String repository = repository(path);
        if (repository == null) {
            return null;
        }
        if (method == HttpMethod.GET || method == HttpMethod.HEAD) {
            needed.add(Access.pull(repository));
        } else if (method == HttpMethod.DELETE) {
            needed.add(Access.delete(repository));
        } else {
            needed.add(Access.pull(repository));
            needed.add(Access.push(repository));
        }
        return needed;
    }

    /** The extra access a mount needs; without it the mount silently becomes a normal upload. */
    public static Access mountSource(String from) {
        return Access.pull(from);
    }
}
