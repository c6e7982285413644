package dev.berth.auth;

import java.util.List;

import dev.berth.http.Routes;
import dev.berth.http.Routes.Match;
import io.vertx.core.http.HttpMethod;

/**
 * What a request needs, as the route table ({@link Routes}) declares it: GET/HEAD pull;
 * POST/PUT/PATCH pull and push; DELETE delete; a cross-repository mount also pull on {@code from};
 * the catalog {@code registry:catalog:*}; {@code /v2/} any valid credential (an empty list);
 * anything else under {@code /v2/} is no route (null).
 */
public final class RequiredAccess {

    private RequiredAccess() {
    }

    /**
     * The repository a path names, or null for /v2/, the catalog and unknown routes: the longest
     * prefix, as the routes match, percent-decoded as the routes decode their {@code name}.
     */
    static String repository(String path) {
        Match m = Routes.match(path);
        return m == null ? null : m.repository();
    }

    /**
     * The accesses a request needs: empty for the base route (any valid credential), null for a
     * path that is no route of the API (refused without asking the controller: nothing that is
     * not understood here may reach a resource).
     */
    public static List<Access> of(HttpMethod method, String path) {
        Match m = Routes.match(path);
        if (m == null) {
            return null;
        }
        String repository = m.repository();
        return switch (m.route().need(method)) {
            case NONE, ANY_CREDENTIAL -> List.of();
            case CATALOG -> List.of(Access.CATALOG);
            case PULL -> List.of(Access.pull(repository));
            case PULL_PUSH -> List.of(Access.pull(repository), Access.push(repository));
            case DELETE -> List.of(Access.delete(repository));
        };
    }

    /** The extra access a mount needs; without it the mount silently becomes a normal upload. */
    public static Access mountSource(String from) {
        return Access.pull(from);
    }
}
