package dev.berth.api;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import dev.berth.http.Routes;

/** {@code GET /v2/}: the registry speaks API v2. */
@Path(Routes.V2)
public class BaseResource {

    @GET
    @Path(Routes.SLASH)
    @Produces(MediaType.APPLICATION_JSON)
    public String base() {
        return "{}";
    }
}
