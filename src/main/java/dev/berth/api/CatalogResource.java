package dev.berth.api;

import java.util.List;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import dev.berth.config.HttpConfig;
import dev.berth.config.ListingLimits;
import dev.berth.http.Routes;
import dev.berth.registry.Catalog;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;

/** {@code GET /v2/_catalog} with {@code n}/{@code last} paging. */
@Path(Routes.CATALOG)
public class CatalogResource {
    @Inject
    Catalog catalog;
    @Inject
    HttpConfig http;
    @Inject
    ListingLimits limits;

    @RegisterForReflection
    public record Repositories(List<String> repositories) {
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> list(@QueryParam("n") String n, @QueryParam("last") String last) {
        Pagination paging = Pagination.parse(n, last, limits.catalog());
        return catalog.repositories().map(all -> {
            List<String> page = paging.page(all);
            Response.ResponseBuilder r = Response.ok(new Repositories(page));
            if (paging.more(all, page)) {
                r.header("Link", paging.link(Paths.prefix(http) + "/v2/_catalog", page.get(page.size() - 1)));
            }
            return r.build();
        });
    }
}
