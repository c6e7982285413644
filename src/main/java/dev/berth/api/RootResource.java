package dev.berth.api;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;

import dev.berth.http.Routes;

/** {@code GET /}: 200 with an empty body, as registry:2 answers it, so load balancer probes written for it work. */
@Path(Routes.ROOT)
public class RootResource {

    @GET
    public Response root() {
        return Response.ok().build();
    }
}
