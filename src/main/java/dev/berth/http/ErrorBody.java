package dev.berth.http;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

import dev.berth.registry.ErrorCode;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** The OCI error format: {@code {"errors":[{"code","message","detail"}]}}; sent as an {@link ErrorReply}. */
@RegisterForReflection
public record ErrorBody(List<Error> errors) {

    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Error(String code, String message, Object detail) {
    }

    public static ErrorBody of(ErrorCode code, String message, Object detail) {
        return new ErrorBody(List.of(new Error(code.name(), message, detail)));
    }
}
