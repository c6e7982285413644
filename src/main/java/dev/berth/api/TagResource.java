package dev.berth.api;

import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import dev.berth.config.HttpConfig;
import dev.berth.config.ListingLimits;
import dev.berth.http.Routes;
import dev.berth.registry.ErrorCode;
import dev.berth.registry.Names;
import dev.berth.registry.RegistryException;
import dev.berth.registry.Tags;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;

/** {@code GET /v2/<name>/tags/list} with {@code n}/{@code last} paging. */
@Path(Routes.TAGS)
public class TagResource {
    @Inject
    Tags tags;
    @Inject
    HttpConfig http;
    @Inject
    ListingLimits limits;

    @RegisterForReflection
    public record TagList(String name, List<String> tags) {
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> list(@PathParam("name") String name, @QueryParam("n") String n, @QueryParam("last") String last) {
        String repository = Names.repository(name);
        Pagination paging = Pagination.parse(n, last, limits.tags());
        return tags.list(repository).map(found -> {
            List<String> all = found.orElseThrow(() -> new RegistryException(ErrorCode.NAME_UNKNOWN,
                    "repository name not known to registry", Map.of("name", repository)));
            List<String> page = paging.page(all);
            Response.ResponseBuilder r = Response.ok(new TagList(repository, page));
            if (paging.more(all, page)) {
                r.header("Link", paging.link(Paths.prefix(http) + "/v2/" + repository + "/tags/list", page.get(page.size() - 1)));
            }
            return r.build();
        });
    }
}
