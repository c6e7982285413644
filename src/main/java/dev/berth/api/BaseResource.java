package dev.berth.api;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** {@code GET /v2/}: the registry speaks API v2. */
@Path("/v2")
public class BaseResource {

    @GET
    @Path("/")
    @Produces(MediaType.APPLICATION_JSON)
    public String base() {
        return "{}";
    }
}
