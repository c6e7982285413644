package dev.berth.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import org.jose4j.jwt.consumer.InvalidJwtException;
import org.junit.jupiter.api.Test;

import dev.berth.config.ConfigError;
import dev.berth.testsupport.TokenIssuer;
import dev.berth.testsupport.TokenIssuer.Signer;

/** {@link TokenVerifier} on its own, with the reasons a token is refused. */
class TokenVerifierTest {
    final TokenIssuer issuer = TokenIssuer.shared();
    final TokenVerifier verifier = new TokenVerifier(TokenIssuer.ISSUER, TokenIssuer.SERVICE, issuer.bundle.toString(),
            issuer.jwks.toString(), TokenVerifier.DEFAULT_ALGORITHMS);

    @Test
    void accessClaimIsReturned() throws InvalidJwtException {
        List<Grants.TokenAccess> access = verifier.verify(issuer.token().repository("a/b", "pull", "push")
                .access("registry", "catalog", "*").sign());
        assertEquals(List.of(new Grants.TokenAccess("repository", "a/b", List.of("pull", "push")),
                new Grants.TokenAccess("registry", "catalog", List.of("*"))), access);
    }

    /** The subject becomes the notifications' actor. */
    @Test
    void subjectIsReturned() throws InvalidJwtException {
        assertEquals("alice", verifier.verifyToken(issuer.token().subject("alice").repository("a/b", "pull").sign()).subject());
        assertEquals("alice", Grants.of("alice", Grants.EVERYTHING).subject());
        assertEquals("", Grants.EVERYTHING.subject());
    }

    @Test
    void everyTrustedSignerVerifies() throws InvalidJwtException {
        for (Signer s : List.of(Signer.X5C, Signer.X5C_WITH_ROOT, Signer.BUNDLE_KID, Signer.JWKS_KID, Signer.JWKS_THUMBPRINT)) {
            assertEquals(1, verifier.verify(issuer.token().signer(s).repository("r", "pull").sign()).size(), s.name());
        }
    }

    @Test
    void leewayIsSixtySeconds() throws InvalidJwtException {
        verifier.verify(issuer.token().expires(Instant.now().minusSeconds(30)).sign());
        verifier.verify(issuer.token().notBefore(Instant.now().plusSeconds(30)).sign());
        assertThrows(InvalidJwtException.class, () -> verifier.verify(issuer.token().expires(Instant.now().minusSeconds(90)).sign()));
        assertThrows(InvalidJwtException.class, () -> verifier.verify(issuer.token().notBefore(Instant.now().plusSeconds(90)).sign()));
    }

    @Test
    void untrustedTokensAreRefused() {
        for (String token : List.of(issuer.token().signer(Signer.STRANGER_X5C).sign(), issuer.token().signer(Signer.STRANGER_KID).sign(),
                issuer.token().unsigned(), issuer.token().hmacWithPublicKey(), issuer.token().issuer("x").sign(),
                issuer.token().audience("x").sign(), issuer.token().noExpiry().sign())) {
            assertThrows(InvalidJwtException.class, () -> verifier.verify(token), token);
        }
    }

    @Test
    void signingAlgorithmsAreRestrictedAndConfigurable() throws InvalidJwtException {
        TokenVerifier rsaOnly = new TokenVerifier(TokenIssuer.ISSUER, TokenIssuer.SERVICE, issuer.bundle.toString(), null, List.of("RS256"));
        rsaOnly.verify(issuer.token().signer(Signer.BUNDLE_KID).sign());
        assertThrows(InvalidJwtException.class, () -> rsaOnly.verify(issuer.token().signer(Signer.X5C).sign()));
        ConfigError hmac = assertThrows(ConfigError.class, () -> new TokenVerifier(TokenIssuer.ISSUER, TokenIssuer.SERVICE,
                issuer.bundle.toString(), null, List.of("HS256")));
        assertTrue(hmac.getMessage().contains("auth.token.signingalgorithms"), hmac.getMessage());
        assertThrows(ConfigError.class, () -> new TokenVerifier(TokenIssuer.ISSUER, TokenIssuer.SERVICE, issuer.bundle.toString(), null,
                List.of("none")));
    }

    @Test
    void jwksOnlyTrustsItsKeys() throws Exception {
        TokenVerifier jwksOnly = new TokenVerifier(TokenIssuer.ISSUER, TokenIssuer.SERVICE, null, issuer.jwks.toString(),
                TokenVerifier.DEFAULT_ALGORITHMS);
        jwksOnly.verify(issuer.token().signer(Signer.JWKS_KID).sign());
        assertThrows(InvalidJwtException.class, () -> jwksOnly.verify(issuer.token().signer(Signer.X5C).sign()));
        assertThrows(InvalidJwtException.class, () -> jwksOnly.verify(issuer.token().signer(Signer.BUNDLE_KID).sign()));
        Path missing = Files.createTempDirectory("jwks").resolve("none.json");
        ConfigError e = assertThrows(ConfigError.class, () -> new TokenVerifier(TokenIssuer.ISSUER, TokenIssuer.SERVICE, null,
                missing.toString(), TokenVerifier.DEFAULT_ALGORITHMS));
        assertTrue(e.getMessage().startsWith("auth.token.jwks"), e.getMessage());
    }
}
