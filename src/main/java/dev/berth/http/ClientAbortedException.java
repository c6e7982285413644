package dev.berth.http;

import dev.berth.registry.ErrorCode;
import dev.berth.registry.RegistryException;

/**
 * A request body that could not be read to its end: the client reset or closed the connection, or
 * sent a malformed body. The client's doing, not the registry's nor the storage's, so it is answered
 * with a 400 (which a client gone never reads) however a storage driver wrapped it on the way.
 */
public final class ClientAbortedException extends RegistryException {
    public ClientAbortedException(ErrorCode code, Throwable cause) {
        super(code, 400, "the request body could not be read: " + (cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName()),
                null);
    }

    /** The client's abort behind {@code failure}, if any. */
    static ClientAbortedException in(Throwable failure) {
        for (Throwable c = failure; c != null; c = c.getCause()) {
            if (c instanceof ClientAbortedException e) {
                return e;
            }
        }
        return null;
    }
}
