package dev.berth.storage;

import java.util.List;

/**
 * What a redirecting driver or middleware may look at: the method, the connection's address and the
 * request's {@code X-Forwarded-For} entries (trusted only as far as the middleware's settings allow).
 */
public record RedirectRequest(String method, String clientAddress, List<String> forwardedFor) {

    public RedirectRequest(String method, String clientAddress) {
        this(method, clientAddress, List.of());
    }
}
