package dev.berth.auth;

import java.util.List;

import dev.berth.registry.ErrorCode;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;

/** Development only: any Authorization header is accepted; without one, a Bearer challenge. */
final class SillyAccessController implements AccessController {
    private final String realm;
    private final String service;

    SillyAccessController(String realm, String service) {
        this.realm = realm;
        this.service = service;
    }

    @Override
    public Uni<Grants> authorize(HttpServerRequest request, List<Access> needed) {
        String header = request.getHeader("Authorization");
        if (header == null || header.isBlank()) {
            return Uni.createFrom().failure(new AuthChallenge(Challenges.bearer(realm, service, needed, null),
                    ErrorCode.UNAUTHORIZED, "authentication required", needed));
        }
        return Uni.createFrom().item(Grants.EVERYTHING);
    }
}
