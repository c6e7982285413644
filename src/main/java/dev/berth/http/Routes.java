package dev.berth.http;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.vertx.core.http.HttpMethod;

/**
 * The API's URL grammar and the order of the request pipeline, in one place. Each {@link Route} is
 * declared once by its path template (the constants below, which the JAX-RS resources use in
 * {@code @Path}), the methods it serves, and the access a request needs (Distribution's rule);
 * its regex is derived from the template. The access filter and the blob routes match requests
 * with those regexes, so a route missing here cannot be served (RouteTableTest checks it).
 */
public final class Routes {
    /** The server's root: 200 with an empty body, the liveness probe written for registry:2. */
    public static final String ROOT = "/";
    /** The API's root; {@code /v2/} is its base route. */
    public static final String V2 = "/v2";
    /** A resource method's path when the route is its class's path with a trailing slash. */
    public static final String SLASH = "/";
    /** A repository name: the longest prefix that leaves a route after it (names hold slashes). */
    public static final String NAME = "{name: .+}";
    public static final String CATALOG = V2 + "/_catalog";
    public static final String TAGS = V2 + "/" + NAME + "/tags/list";
    public static final String MANIFEST = V2 + "/" + NAME + "/manifests/{reference: [^/]+}";
    public static final String BLOB = V2 + "/" + NAME + "/blobs/{digest: [^/]+}";
    public static final String BLOB_UPLOADS = V2 + "/" + NAME + "/blobs/uploads";
    /** Below {@link #BLOB_UPLOADS}: one upload session. */
    public static final String UPLOAD_ID = "/{uuid}";
    public static final String REFERRERS = V2 + "/" + NAME + "/referrers/{digest: [^/]+}";

    /**
     * The metadata key naming the {@link Route} a Vert.x route serves: RouteTableTest walks them, and
     * request metrics name a request the route that answered it so, without matching the path again.
     */
    public static final String ROUTE = "berth.route";

    /** Who made the request (htpasswd user, token subject), set by the access filter when known. */
    public static final String ACTOR = "berth.actor";

    /** The request's id on the routing context: the client's {@code X-Request-Id}, else a generated one. */
    public static final String REQUEST_ID = "berth.request-id";

    /**
     * Set on the routing context by the access filter when a mount's source repository may not be
     * read: the upload then starts a session instead of mounting (Distribution).
     */
    public static final String MOUNT_DENIED = "berth.mount-denied";

    /** The access a request needs, as Distribution decides it. */
    public enum Need {
        /** Nothing: outside the API ({@code /}). */
        NONE,
        /** Any valid credential. */
        ANY_CREDENTIAL,
        /** {@code registry:catalog:*}. */
        CATALOG,
        /** Pull on the repository. */
        PULL,
        /** Pull and push on the repository. */
        PULL_PUSH,
        /** Delete on the repository. */
        DELETE;

        /** Distribution's rule below a repository: GET/HEAD pull; DELETE delete; any other method pull and push. */
        static Need onRepository(HttpMethod method) {
            if (method == HttpMethod.GET || method == HttpMethod.HEAD) {
                return PULL;
            }
            return method == HttpMethod.DELETE ? DELETE : PULL_PUSH;
        }
    }

    /** Every route of the API. The order is the one requests are matched in: the hot one first. */
    public enum Route {
        BLOB(Routes.BLOB, "", HttpMethod.GET, HttpMethod.HEAD, HttpMethod.DELETE),
        MANIFEST(Routes.MANIFEST, "", HttpMethod.GET, HttpMethod.HEAD, HttpMethod.PUT, HttpMethod.DELETE),
        BLOB_UPLOAD_START(Routes.BLOB_UPLOADS, SLASH, HttpMethod.POST),
        BLOB_UPLOAD(Routes.BLOB_UPLOADS, UPLOAD_ID, HttpMethod.GET, HttpMethod.HEAD, HttpMethod.PATCH, HttpMethod.PUT, HttpMethod.DELETE),
        TAGS(Routes.TAGS, "", HttpMethod.GET),
        REFERRERS(Routes.REFERRERS, "", HttpMethod.GET),
        CATALOG(Routes.CATALOG, "", HttpMethod.GET),
        BASE(V2, SLASH, HttpMethod.GET),
        ROOT(Routes.ROOT, "", HttpMethod.GET);

        private final String template;
        private final Set<HttpMethod> methods;
        private final List<String> params = new ArrayList<>();
        private final String regex;
        private final Pattern pattern;

        Route(String classPath, String methodPath, HttpMethod... methods) {
            this.template = classPath + methodPath;
            this.methods = Set.of(methods);
            this.regex = regex(template, params);
            this.pattern = Pattern.compile("^" + regex + "$");
        }

        /** The full path template, as JAX-RS joins a class's and a method's {@code @Path}. */
        public String template() {
            return template;
        }

        /** The methods the route serves (other methods are answered 404 or 405 by the resources). */
        public Set<HttpMethod> methods() {
            return methods;
        }

        /** The route's own pattern: the template's, also with a trailing slash (the resources answer both). */
        public Pattern pattern() {
            return pattern;
        }

        /** The group of {@link #pattern()} holding the template's parameter {@code param}. */
        public int group(String param) {
            int i = params.indexOf(param);
            if (i < 0) {
                throw new IllegalArgumentException(template + " has no parameter " + param);
            }
            return i + 1;
        }

        /** What a request with {@code method} needs; any method, as the access filter asks before a resource answers. */
        public Need need(HttpMethod method) {
            return switch (this) {
                case ROOT -> Need.NONE;
                case BASE -> Need.ANY_CREDENTIAL;
                case CATALOG -> Need.CATALOG;
                default -> Need.onRepository(method);
            };
        }

        /** {@code /x/{p: re}/y/} as {@code \Qx\E(re)\Qy\E/?}: one group per parameter, and an optional trailing slash. */
        private static String regex(String template, List<String> params) {
            String t = template.endsWith("/") ? template.substring(0, template.length() - 1) : template;
            StringBuilder re = new StringBuilder();
            int at = 0;
            while (at < t.length()) {
                int open = t.indexOf('{', at);
                if (open < 0) {
                    re.append(Pattern.quote(t.substring(at)));
                    break;
                }
                int close = t.indexOf('}', open);
                String param = t.substring(open + 1, close);
                int colon = param.indexOf(':');
                String paramRegex = colon < 0 ? "[^/]+" : param.substring(colon + 1).trim();
                if (paramRegex.contains("(")) {
                    throw new IllegalArgumentException("a parameter's regex must hold no group: " + template);
                }
                params.add((colon < 0 ? param : param.substring(0, colon)).trim());
                re.append(Pattern.quote(t.substring(at, open))).append('(').append(paramRegex).append(')');
                at = close + 1;
            }
            return re.append("/?").toString();
        }
    }

    /** A path matched to a route, with the repository it names (null for the base and catalog routes). */
    public record Match(Route route, String repository) {
    }

    /**
     * The steps before the JAX-RS resources, in the order they run. Those up to {@link #PIPELINE} are
     * {@link RequestHook}s, all run by the one handler of {@link RequestFront}; the others are Vert.x routes.
     */
    public enum Stage {
        /** Request metrics: first, so they time and count every request, refused ones too. */
        METRICS(2),
        /** Every request: its id ({@link #REQUEST_ID}) and the access log. */
        REQUEST(3),
        /** While the registry drains at shutdown, new requests are refused. */
        DRAIN(5),
        /** Registry events for the notification endpoints, once a request is answered. */
        EVENTS(7),
        /**
         * While a health check fails, every request but Quarkus' own ({@code /q/}) answers 503, as
         * Distribution's health handler does; Quarkus' metrics endpoint is hidden from the main port.
         */
        HEALTH(8),
        /** Version and configured headers, the request URI check, {@code http.prefix}, read-only mode. */
        PIPELINE(10),
        /** The client certificate, with {@code http.tls.clientcas}. */
        CLIENT_CERTIFICATE(15),
        /** The access filter: every {@code /v2/} request is authorized before anything answers it. */
        AUTH(20),
        /** The blob routes (GET, HEAD, DELETE), Vert.x rather than JAX-RS. */
        BLOBS(30);

        private final int offset;

        Stage(int offset) {
            this.offset = offset;
        }

        /** The Vert.x order of a stage that is a route: before anything Quarkus installs. */
        public int order() {
            return Integer.MIN_VALUE + offset;
        }
    }

    /** All routes as one alternation, so a request is matched once; each route's group is at {@link #ROUTE_GROUP}. */
    private static final Pattern ANY;
    private static final int[] ROUTE_GROUP = new int[Route.values().length];
    private static final int[] NAME_GROUP = new int[Route.values().length];

    static {
        StringBuilder any = new StringBuilder("^(?:");
        int group = 1;
        for (Route r : Route.values()) {
            any.append(r.ordinal() == 0 ? "" : "|").append('(').append(r.regex).append(')');
            ROUTE_GROUP[r.ordinal()] = group;
            NAME_GROUP[r.ordinal()] = r.params.contains("name") ? group + r.group("name") : -1;
            group += 1 + r.params.size();
        }
        ANY = Pattern.compile(any.append(")$").toString());
    }

    private Routes() {
    }

    /**
     * The route {@code path} (a normalized, still percent-encoded path) is, or null when it is none.
     * The repository is decoded as the JAX-RS resources decode their {@code name} parameter:
     * {@code a%2Fb} is served as {@code a/b}, so it must be authorized as {@code a/b}.
     */
    public static Match match(String path) {
        Matcher m = ANY.matcher(path);
        if (!m.matches()) {
            return null;
        }
        for (Route r : Route.values()) {
            if (m.start(ROUTE_GROUP[r.ordinal()]) >= 0) {
                int name = NAME_GROUP[r.ordinal()];
                return new Match(r, name < 0 ? null : decode(m.group(name)));
            }
        }
        throw new IllegalStateException("no route group matched " + path);
    }

    /** A path parameter decoded as JAX-RS decodes it: percent-escapes only, a {@code +} stays a {@code +}. */
    public static String decode(String param) {
        if (param.indexOf('%') < 0) {
            return param;
        }
        try {
            return URLDecoder.decode(param.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformed) {
            // a name holding '%' is invalid; the resource refuses it
            return param;
        }
    }
}
