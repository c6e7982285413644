package dev.berth.api;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Map;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.Config;

import dev.berth.config.HttpConfig;
import dev.berth.config.OptionReader;
import dev.berth.config.StorageConfig;
import dev.berth.http.ErrorReply;
import dev.berth.http.RequestHook;
import dev.berth.http.Routes;
import dev.berth.http.Routes.Stage;
import dev.berth.proxy.Upstream;
import dev.berth.registry.ErrorCode;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;

/**
 * What applies to every response, before the JAX-RS resources: the API version header, the
 * configured {@code http.headers}, the check of the request URI, {@code http.prefix}, and read-only mode.
 */
@ApplicationScoped
public class HttpPipeline implements RequestHook {
    static final String API_VERSION = "Docker-Distribution-API-Version";
    /** The system property that turns off Quarkus's URI check in favour of {@link #malformedUri}. */
    public static final String DISABLE_QUARKUS_URI_CHECK = "vertx.disableURIValidation";

    @Inject
    HttpConfig http;
    @Inject
    StorageConfig storage;
    @Inject
    Config config;
    @Inject
    Upstream upstream;

    private Map<String, List<String>> headers;
    private String prefix;
    private boolean readOnly;
    private boolean mirror;

    @PostConstruct
    void read() {
        headers = OptionReader.fromConfig(config, "http.headers").valuesByName();
        prefix = Paths.prefix(http);
        readOnly = storage.maintenance().readonly().enabled();
        mirror = upstream.enabled();
    }

    @Override
    public Stage stage() {
        return Stage.PIPELINE;
    }

    @Override
    public boolean admit(RoutingContext ctx) {
        ctx.response().headers().set(API_VERSION, "registry/2.0");
        headers.forEach((name, values) -> ctx.response().headers().set(name, values));
        String malformed = malformedUri(ctx.request().uri());
        if (malformed != null) {
            ErrorReply.of(400, ErrorCode.UNSUPPORTED, malformed, null).send(ctx.response());
            return false;
        }
        String path = ctx.normalizedPath();
        if (!prefix.isEmpty()) {
            if (path.startsWith(prefix + "/v2")) {
                String rest = ctx.request().uri().substring(prefix.length());
                ctx.reroute(rest);
                return false;
            }
            if (path.equals(prefix) || path.equals(prefix + "/")) {
                // registry:2 answers its root outside the prefix too: probes of either kind work
                ctx.reroute(Routes.ROOT);
                return false;
            }
        }
        if (readOnly && path.startsWith("/v2/") && isWrite(ctx.request().method())) {
            ErrorReply.of(405, ErrorCode.UNSUPPORTED, "registry is in read-only mode", null).send(ctx.response());
            return false;
        }
        if (mirror && path.startsWith("/v2/") && isWrite(ctx.request().method())) {
            // Distribution's proxy mode: the mirror holds what upstream has, nothing else
            ErrorReply.of(405, ErrorCode.UNSUPPORTED, "registry is a pull-through cache: pushes and deletes are not supported", null)
                    .send(ctx.response());
            return false;
        }
        return true;
    }

    /**
     * Quarkus's own check of the request URI (java.net.URI) answers an empty 400 before any route
     * runs; Main turns it off ({@value #DISABLE_QUARKUS_URI_CHECK}) so that this same check
     * answers instead, in the OCI format. It also keeps a bad escape from reaching Vert.x's query
     * decoding. Null when the URI is fine, else what is wrong with it.
     */
    static String malformedUri(String uri) {
        try {
            new URI(uri);
            return null;
        } catch (URISyntaxException e) {
            int query = uri.indexOf('?');
            return (query >= 0 && e.getIndex() > query ? "malformed query string: " : "malformed request path: ") + e.getReason()
                    + " at index " + e.getIndex();
        }
    }

    private static boolean isWrite(HttpMethod method) {
        return method == HttpMethod.POST || method == HttpMethod.PUT || method == HttpMethod.PATCH || method == HttpMethod.DELETE;
    }

}
