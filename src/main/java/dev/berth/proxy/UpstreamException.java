package dev.berth.proxy;

import java.util.Map;

import dev.berth.registry.ErrorCode;
import dev.berth.registry.RegistryException;

/** The upstream registry could not be reached ({@code status} 0) or answered an error status. */
public class UpstreamException extends RuntimeException {
    private final int status;

    UpstreamException(int status, String message) {
        super(message);
        this.status = status;
    }

    /** 0 when upstream was not reached. */
    public int status() {
        return status;
    }

    /** Upstream is down, throttling or failing: a stored copy is served instead when there is one (stale-if-error). */
    public boolean transientFailure() {
        return status == 0 || status == 429 || status >= 500;
    }

    /** The answer for the client: not found as the registry's own 404, throttling as 429, the rest 503. */
    RegistryException toClient(ErrorCode notFound, String reference) {
        if (status == 404) {
            return new RegistryException(notFound, notFound.message(), Map.of("reference", reference));
        }
        if (status == 429) {
            return new RegistryException(ErrorCode.TOOMANYREQUESTS, "upstream registry is throttling, retry later");
        }
        return new RegistryException(ErrorCode.UNAVAILABLE, "upstream registry: " + getMessage());
    }
}
