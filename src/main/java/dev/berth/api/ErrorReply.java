package dev.berth.api;

import org.jboss.logging.Logger;

import dev.berth.registry.ErrorCode;
import dev.berth.registry.RegistryException;
import dev.berth.storage.PathRules;
import dev.berth.storage.StorageUnavailableException;
import io.vertx.core.http.HttpServerResponse;

/** The status, OCI error body and retry hint a failure is answered with, for resources and routes alike. */
public record ErrorReply(int status, ErrorBody body, boolean retryLater) {
    private static final Logger LOG = Logger.getLogger(ErrorReply.class);
    /** Seconds a client should wait before retrying when storage is unavailable or throttling. */
    static final String RETRY_AFTER_SECONDS = "5";

    public static ErrorReply of(Throwable failure) {
        if (failure instanceof RegistryException e) {
            return new ErrorReply(e.status(), ErrorBody.of(e.code(), e.getMessage(), e.detail()), false);
        }
        if (failure instanceof StorageUnavailableException e) {
            LOG.warnf("storage unavailable: %s", e.getMessage());
            ErrorCode code = e.throttled() ? ErrorCode.TOOMANYREQUESTS : ErrorCode.UNAVAILABLE;
            return new ErrorReply(code.status(), ErrorBody.of(code, "storage backend unavailable, retry later", null), true);
        }
        if (failure instanceof PathRules.InvalidPathException) {
            return new ErrorReply(400, ErrorBody.of(ErrorCode.NAME_INVALID, "invalid name", null), false);
        }
        LOG.error("request failed", failure);
        return new ErrorReply(500, ErrorBody.of(ErrorCode.UNKNOWN, "internal error", null), false);
    }

    /** Ends {@code response} with this reply, for the Vert.x handlers that answer before JAX-RS. */
    public void send(HttpServerResponse response) {
        if (retryLater) {
            response.headers().set("Retry-After", RETRY_AFTER_SECONDS);
        }
        body.send(response, status);
    }
}
