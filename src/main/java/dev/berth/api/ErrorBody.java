package dev.berth.api;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

import dev.berth.registry.ErrorCode;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.Json;

/** The OCI error format: {@code {"errors":[{"code","message","detail"}]}}. */
@RegisterForReflection
public record ErrorBody(List<Error> errors) {

    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Error(String code, String message, Object detail) {
    }

    public static ErrorBody of(ErrorCode code, String message, Object detail) {
        return new ErrorBody(List.of(new Error(code.name(), message, detail)));
    }

    /** Ends {@code response} with this body, for the Vert.x handlers that answer before JAX-RS. */
    public void send(HttpServerResponse response, int status) {
        response.setStatusCode(status).putHeader("Content-Type", "application/json").end(Json.encode(this));
    }
}
