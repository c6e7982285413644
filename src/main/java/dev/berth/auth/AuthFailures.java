package dev.berth.auth;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.http.HttpServerRequest;

/** Counts refused requests by reason ({@code registry_auth_failures_total}), for alerting on attacks and broken clients. */
// a singleton (no lazy proxy), so its counters exist at 0 from startup, before any failure
@Singleton
public class AuthFailures {
    static final String NAME = "registry.auth.failures";

    /** Why a request was refused. */
    enum Reason {
        /** No credentials sent: usually a client's first request, before it answers the challenge. */
        missing_credentials,
        /** Wrong user or password. */
        invalid_credentials,
        /** A bearer token that is malformed, expired, badly signed or for another service. */
        invalid_token,
        /** A valid token that lacks an access. */
        insufficient_scope,
        /** No client certificate from a configured CA. */
        client_certificate
    }

    private final Counter[] counters = new Counter[Reason.values().length];

    @Inject
    AuthFailures(MeterRegistry registry) {
        for (Reason r : Reason.values()) {
            counters[r.ordinal()] = Counter.builder(NAME).tag("reason", r.name()).description("requests refused with 401, by reason")
                    .register(registry);
        }
    }

    void count(Reason reason) {
        counters[reason.ordinal()].increment();
    }

    /** The reason of a challenge, told from what the controller answered (the error it names) and what the client sent. */
    void count(HttpServerRequest request, AuthChallenge challenge) {
        String header = challenge.wwwAuthenticate();
        if (header.contains("error=\"insufficient_scope\"")) {
            count(Reason.insufficient_scope);
        } else if (header.contains("error=\"invalid_token\"")) {
            count(Reason.invalid_token);
        } else {
            count(request.getHeader("Authorization") == null ? Reason.missing_credentials : Reason.invalid_credentials);
        }
    }
}
