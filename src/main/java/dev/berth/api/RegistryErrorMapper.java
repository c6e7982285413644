package dev.berth.api;

import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import dev.berth.http.ErrorReply;
import dev.berth.registry.ErrorCode;
import dev.berth.registry.RegistryException;
import dev.berth.storage.PathRules;
import dev.berth.storage.StorageRefusedException;
import dev.berth.storage.StorageUnavailableException;

/** Every failure becomes an OCI error body with the right status; nothing leaks as a bare 500. */
public class RegistryErrorMapper {
    private static final Logger LOG = Logger.getLogger(RegistryErrorMapper.class);

    @ServerExceptionMapper
    public Response registry(RegistryException e) {
        return of(e);
    }

    @ServerExceptionMapper
    public Response unavailable(StorageUnavailableException e) {
        return of(e);
    }

    @ServerExceptionMapper
    public Response refused(StorageRefusedException e) {
        return of(e);
    }

    @ServerExceptionMapper
    public Response invalidPath(PathRules.InvalidPathException e) {
        return of(e);
    }

    @ServerExceptionMapper
    public Response notFound(NotFoundException e) {
        return error(404, ErrorCode.UNSUPPORTED, "no such endpoint", null);
    }

    @ServerExceptionMapper
    public Response notAllowed(NotAllowedException e) {
        return error(405, ErrorCode.UNSUPPORTED, "method not allowed on this endpoint", null);
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        if (status >= 500) {
            LOG.error("request failed", e);
            return error(500, ErrorCode.UNKNOWN, "internal error", null);
        }
        return error(status, ErrorCode.UNSUPPORTED, e.getMessage(), null);
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e) {
        return of(e);
    }

    private static Response of(Throwable e) {
        return ErrorReply.of(e).response().build();
    }

    private static Response error(int status, ErrorCode code, String message, Object detail) {
        return ErrorReply.of(status, code, message, detail).response().build();
    }
}
