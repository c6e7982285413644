package dev.berth.auth;

import java.util.List;

import org.jose4j.jwt.consumer.InvalidJwtException;

import dev.berth.registry.ErrorCode;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;

/** Bearer tokens from a token service; each access must be granted by the token's access claim. */
final class TokenAccessController implements AccessController {
    private final AuthConfig.Token config;
    private final TokenVerifier verifier;

    TokenAccessController(AuthConfig.Token config) {
        this.config = config;
        this.verifier = new TokenVerifier(config.issuer(), config.service(), config.rootcertbundle().orElse(null),
                config.jwks().orElse(null), config.signingalgorithms().orElse(TokenVerifier.DEFAULT_ALGORITHMS));
    }

    @Override
    public Uni<Grants> authorize(HttpServerRequest request, List<Access> needed) {
        String header = request.getHeader("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Uni.createFrom().failure(challenge(request, needed, null, ErrorCode.UNAUTHORIZED, "authentication required"));
        }
        Grants grants;
        try {
            TokenVerifier.Verified token = verifier.verifyToken(header.substring(7).trim());
            grants = Grants.of(token.subject(), Grants.of(token.access()));
        } catch (InvalidJwtException e) {
            return Uni.createFrom().failure(challenge(request, needed, "invalid_token", ErrorCode.UNAUTHORIZED, "invalid token"));
        }
        if (!grants.allowsAll(needed)) {
            return Uni.createFrom().failure(challenge(request, needed, "insufficient_scope", ErrorCode.DENIED,
                    "the token does not grant " + Challenges.scope(needed)));
        }
        return Uni.createFrom().item(grants);
    }

    private AuthChallenge challenge(HttpServerRequest request, List<Access> needed, String error, ErrorCode code, String message) {
        return new AuthChallenge(Challenges.bearer(realm(request), config.service(), needed, error), code, message, needed);
    }

    /** With {@code autoredirect}, the realm is this registry's own host plus {@code autoredirectpath}. */
    private String realm(HttpServerRequest request) {
        if (!config.autoredirect().orElse(false)) {
            return config.realm();
        }
        String proto = request.getHeader("X-Forwarded-Proto");
        String scheme = proto != null && !proto.isBlank() ? proto.split(",")[0].trim() : "https";
        return scheme + "://" + request.authority() + config.autoredirectpath().orElse("/auth/token/");
    }
}
