package dev.berth.http;

import java.util.Optional;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;

import dev.berth.registry.ErrorCode;
import dev.berth.registry.RegistryException;
import dev.berth.storage.PathRules;
import dev.berth.storage.StorageRefusedException;
import dev.berth.storage.StorageUnavailableException;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.Json;

/**
 * The status, OCI error body and retry hint a failure is answered with: the one way errors are
 * written, {@link #send} by the Vert.x handlers, {@link #response} by the JAX-RS resources.
 */
public record ErrorReply(int status, ErrorBody body, boolean retryLater) {
    private static final Logger LOG = Logger.getLogger(ErrorReply.class);
    /** Seconds a client should wait before retrying when storage is unavailable or throttling. */
    private static final String RETRY_AFTER_SECONDS = "5";
    /** RFC 4918's status for a store that is out of space or quota. */
    static final int INSUFFICIENT_STORAGE = 507;

    /** A reply chosen by the caller: {@code status} with the error {@code code}. */
    public static ErrorReply of(int status, ErrorCode code, String message, Object detail) {
        return new ErrorReply(status, ErrorBody.of(code, message, detail), false);
    }

    public static ErrorReply of(Throwable failure) {
        ClientAbortedException aborted = ClientAbortedException.in(failure);
        if (aborted != null) {
            LOG.infof("client aborted: %s", aborted.getMessage());
            failure = aborted;
        }
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
        // a store that refuses, or a disk error a driver or middleware let through untranslated
        Optional<StorageRefusedException> refused = StorageRefusedException.ofFileSystem(failure, "storage");
        if (refused.isPresent()) {
            StorageRefusedException e = refused.get();
            // an operator must act (free space, fix rights), so no Retry-After
            LOG.errorf("storage refuses the request: %s", e.getMessage());
            return e.full()
                    ? new ErrorReply(INSUFFICIENT_STORAGE, ErrorBody.of(ErrorCode.UNKNOWN, e.reason(), null), false)
                    : new ErrorReply(ErrorCode.UNAVAILABLE.status(), ErrorBody.of(ErrorCode.UNAVAILABLE, e.reason(), null), false);
        }
        LOG.error("request failed", failure);
        return new ErrorReply(500, ErrorBody.of(ErrorCode.UNKNOWN, "internal error", null), false);
    }

    /** Ends {@code response} with this reply, for the Vert.x handlers that answer before JAX-RS. */
    public void send(HttpServerResponse response) {
        if (retryLater) {
            response.headers().set("Retry-After", RETRY_AFTER_SECONDS);
        }
        response.setStatusCode(status).putHeader("Content-Type", MediaType.APPLICATION_JSON).end(Json.encode(body));
    }

    /** This reply as a JAX-RS response, to which a resource may add headers before it builds it. */
    public Response.ResponseBuilder response() {
        Response.ResponseBuilder r = Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(body);
        if (retryLater) {
            r.header("Retry-After", RETRY_AFTER_SECONDS);
        }
        return r;
    }
}
