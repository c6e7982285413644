package dev.berth.auth;

import java.util.List;

import dev.berth.registry.ErrorCode;

/** A refused request: 401 with a {@code WWW-Authenticate} challenge, and the accesses it lacked. */
public class AuthChallenge extends RuntimeException {
    private final String wwwAuthenticate;
    private final ErrorCode code;
    private final List<Access> needed;

    public AuthChallenge(String wwwAuthenticate, ErrorCode code, String message, List<Access> needed) {
        super(message, null, false, false);
        this.wwwAuthenticate = wwwAuthenticate;
        this.code = code;
        this.needed = needed;
    }

    public String wwwAuthenticate() {
        return wwwAuthenticate;
    }

    public ErrorCode code() {
        return code;
    }

    public List<Access> needed() {
        return needed;
    }
}
