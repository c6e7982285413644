package dev.berth.api;

import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

import dev.berth.config.HttpConfig;
import dev.berth.config.StorageConfig;
import dev.berth.http.Routes;
import dev.berth.proxy.ProxyManifests;
import dev.berth.proxy.Upstream;
import dev.berth.registry.Digest;
import dev.berth.registry.ErrorCode;
import dev.berth.registry.Manifests;
import dev.berth.registry.MediaTypes;
import dev.berth.registry.Names;
import dev.berth.registry.RegistryException;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

/** {@code /v2/<name>/manifests/<reference>}: by tag or digest; never redirected. */
@Path(Routes.MANIFEST)
public class ManifestResource {

    /** The Warning of a manifest served from a mirror's cache because upstream failed. */
    static final String STALE = "110 - \"Response is Stale\"";

    @Inject
    Manifests manifests;
    @Inject
    Upstream upstream;
    @Inject
    ProxyManifests proxyManifests;
    @Inject
    HttpConfig http;
    @Inject
    StorageConfig storage;

    @GET
    public Uni<Response> get(@PathParam("name") String name, @PathParam("reference") String reference,
            @HeaderParam("If-None-Match") String ifNoneMatch, HttpHeaders headers) {
        return serve(name, reference, ifNoneMatch, headers, true);
    }

    @HEAD
    public Uni<Response> head(@PathParam("name") String name, @PathParam("reference") String reference,
            @HeaderParam("If-None-Match") String ifNoneMatch, HttpHeaders headers) {
        return serve(name, reference, ifNoneMatch, headers, false);
    }

    private Uni<Response> serve(String name, String reference, String ifNoneMatch, HttpHeaders headers, boolean body) {
        String repository = Names.repository(name);
        Uni<ProxyManifests.Served> found = upstream.enabled()
                ? proxyManifests.get(repository, reference)
                : manifests.get(repository, reference).map(stored -> new ProxyManifests.Served(stored, false));
        return found.map(served -> {
            Manifests.Stored stored = served.stored();
            String mediaType = stored.manifest().mediaType();
            if (!accepts(headers.getRequestHeader("Accept"), mediaType)) {
                throw new RegistryException(ErrorCode.MANIFEST_UNKNOWN,
                        "manifest is " + mediaType + ", which the Accept header does not allow", Map.of("mediaType", mediaType));
            }
            Response.ResponseBuilder r = EntityTags.matches(ifNoneMatch, stored.digest())
                    ? Response.notModified()
                    : Response.ok(body ? stored.manifest().content() : null);
            return r.header("Content-Type", mediaType)
                    .header("Content-Length", stored.manifest().content().length)
                    .header("Docker-Content-Digest", stored.digest().toString())
                    .header("ETag", EntityTags.of(stored.digest()))
                    // RFC 7234: upstream could not confirm the cached copy
                    .header("Warning", served.stale() ? STALE : null)
                    .build();
        });
    }

    /**
     * Distribution v3's rule: OCI manifests and indexes are served only to clients that accept them;
     * Docker types are served to any client. No Accept header accepts everything.
     */
    static boolean accepts(List<String> accept, String mediaType) {
        if (accept == null || accept.isEmpty() || !(mediaType.equals(MediaTypes.OCI_MANIFEST) || mediaType.equals(MediaTypes.OCI_INDEX))) {
            return true;
        }
        boolean any = false;
        for (String header : accept) {
            for (String entry : header.split(",")) {
                String type = entry.split(";", 2)[0].trim().toLowerCase();
                if (type.isEmpty()) {
                    continue;
                }
                any = true;
                if (type.equals(mediaType) || type.equals("*/*") || type.equals("application/*")) {
                    return true;
                }
            }
        }
        return !any;
    }

    @PUT
    public Uni<Response> put(@PathParam("name") String name, @PathParam("reference") String reference,
            @HeaderParam("Content-Type") String contentType, RoutingContext routing) {
        HttpServerRequest request = routing.request();
        String repository = Names.repository(name);
        if (!Digest.looksLikeDigest(reference)) {
            Names.tag(reference);
        } else {
            Digest.parse(reference);
        }
        return RequestBodies.small(routing, Manifests.MAX_BYTES)
                .chain(content -> manifests.put(repository, reference, content, contentType))
                .map(pushed -> {
                    Response.ResponseBuilder r = Response.status(201)
                            .header("Location", Paths.url(http, request, "/v2/" + repository + "/manifests/" + pushed.digest()))
                            .header("Docker-Content-Digest", pushed.digest().toString())
                            .header("Content-Length", 0);
                    pushed.subject().ifPresent(s -> r.header("OCI-Subject", s.toString()));
                    return r.build();
                });
    }

    @DELETE
    public Uni<Response> delete(@PathParam("name") String name, @PathParam("reference") String reference) {
        String repository = Names.repository(name);
        if (!storage.delete().enabled()) {
            throw new RegistryException(ErrorCode.UNSUPPORTED, "deletion is disabled (storage.delete.enabled)");
        }
        return manifests.delete(repository, reference).map(v -> Response.accepted().header("Content-Length", 0).build());
    }
}
