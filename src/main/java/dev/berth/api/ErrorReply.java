package dev.berth.api;

import java.util.Optional;

import org.jboss.logging.Logger;

import dev.berth.registry.ErrorCode;
import dev.berth.registry.RegistryException;
import dev.berth.storage.PathRules;
import dev.berth.storage.StorageRefusedException;
import dev.berth.storage.StorageUnavailableException;
import io.vertx.core.http.HttpServerResponse;

/** The status, OCI error body and retry hint a failure is answered with, for resources and routes alike. */
public record ErrorReply(int status, ErrorBody body, boolean retryLater) {
    private static final Logger LOG = Logger.getLogger(ErrorReply.class);
    /** Seconds a client should wait before retrying when storage is unavailable or throttling. */
    static final String RETRY_AFTER_SECONDS = "5";
    /** RFC 4918's status for a store that is out of space or quota. */
    static final int INSUFFICIENT_STORAGE = 507;

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
        body.send(response, status);
    }
}
