package dev.berth.api;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.berth.config.HttpConfig;
import dev.berth.http.Routes;
import dev.berth.registry.Digest;
import dev.berth.registry.MediaTypes;
import dev.berth.registry.Names;
import dev.berth.registry.Referrers;
import io.smallrye.mutiny.Uni;

/** {@code GET /v2/<name>/referrers/<digest>}: always 200 with an OCI index, filtered and paged. */
@Path(Routes.REFERRERS)
public class ReferrersResource {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    Referrers referrers;
    @Inject
    HttpConfig http;

    @GET
    public Uni<Response> list(@PathParam("name") String name, @PathParam("digest") String digestParam,
            @QueryParam("artifactType") String artifactType, @QueryParam("n") String n, @QueryParam("last") String last) {
        String repository = Names.repository(name);
        Digest subject = Digest.parse(digestParam);
        Pagination paging = Pagination.parse(n, last);
        Optional<String> filter = Optional.ofNullable(artifactType).filter(s -> !s.isEmpty());
        return referrers.list(repository, subject, filter).map(descriptors -> {
            List<String> digests = descriptors.stream().map(d -> d.get("digest").asText()).toList();
            List<String> page = paging.page(digests);
            ObjectNode index = JSON.createObjectNode();
            index.put("schemaVersion", 2);
            index.put("mediaType", MediaTypes.OCI_INDEX);
            var manifests = index.putArray("manifests");
            descriptors.stream().filter(d -> page.contains(d.get("digest").asText())).forEach(manifests::add);
            Response.ResponseBuilder r = Response.ok(index.toString()).type(MediaTypes.OCI_INDEX);
            filter.ifPresent(f -> r.header("OCI-Filters-Applied", "artifactType"));
            if (paging.more(digests, page)) {
                String link = paging.link(Paths.prefix(http) + "/v2/" + repository + "/referrers/" + subject, page.get(page.size() - 1));
                r.header("Link", filter.map(f -> link.replace(">;", "&artifactType=" + URLEncoder.encode(f, StandardCharsets.UTF_8) + ">;")).orElse(link));
            }
            return r.build();
        });
    }
}
