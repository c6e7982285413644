package dev.berth.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.PublicKey;
import java.security.cert.CertPathValidator;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.jwx.JsonWebStructure;
import org.jose4j.keys.resolvers.VerificationKeyResolver;
import org.jose4j.lang.JoseException;
import org.jose4j.lang.UnresolvableKeyException;

import dev.berth.config.ConfigError;

/**
 * Verifies registry bearer tokens (JWTs) as Distribution v3 does: the key comes from an {@code x5c}
 * chain that verifies against {@code rootcertbundle}, else from {@code kid} among the bundle's keys
 * (RFC 7638 thumbprints) and the {@code jwks} file; {@code iss} = issuer, {@code aud} contains the
 * service, {@code exp}/{@code nbf} with 60 s leeway, algorithms from a public-key allow-list only.
 */
final class TokenVerifier {
    static final List<String> DEFAULT_ALGORITHMS = List.of("RS256", "RS384", "RS512", "ES256", "ES384", "ES512",
            "PS256", "PS384", "PS512", "EdDSA");
    private static final Set<String> PUBLIC_KEY_ALGORITHMS = Set.copyOf(DEFAULT_ALGORITHMS);
    private static final int LEEWAY_SECONDS = 60;

    private final Set<TrustAnchor> anchors = new HashSet<>();
    private final Map<String, PublicKey> trustedKeys = new HashMap<>();
    private final JwtConsumer consumer;

    TokenVerifier(String issuer, String service, String rootCertBundle, String jwks, List<String> algorithms) {
        if (rootCertBundle == null && jwks == null) {
            throw new ConfigError("auth.token: rootcertbundle or jwks is required");
        }
        if (rootCertBundle != null) {
            loadBundle(Path.of(rootCertBundle));
        }
        if (jwks != null) {
            loadJwks(Path.of(jwks));
        }
        List<String> allowed = new ArrayList<>();
        for (String alg : algorithms) {
            if (!PUBLIC_KEY_ALGORITHMS.contains(alg)) {
                // none and HMAC would let anyone who knows a public key mint tokens
                throw new ConfigError("auth.token.signingalgorithms: " + alg + " is not allowed (public-key algorithms only: "
                        + String.join(", ", DEFAULT_ALGORITHMS) + ")");
            }
            allowed.add(alg);
        }
        this.consumer = new JwtConsumerBuilder()
                .setExpectedIssuer(issuer)
                .setExpectedAudience(service)
                .setRequireExpirationTime()
                .setAllowedClockSkewInSeconds(LEEWAY_SECONDS)
                .setJwsAlgorithmConstraints(new AlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT, allowed.toArray(String[]::new)))
                .setVerificationKeyResolver(new Resolver())
                .build();
    }

    /** A trusted token's subject ({@code sub}, empty without one) and access entries. */
    record Verified(String subject, List<Grants.TokenAccess> access) {
    }

    /** The token's access entries; throws {@link InvalidJwtException} when it is not to be trusted. */
    List<Grants.TokenAccess> verify(String token) throws InvalidJwtException {
        return verifyToken(token).access();
    }

    /** The token's subject and access entries; throws {@link InvalidJwtException} when it is not to be trusted. */
    Verified verifyToken(String token) throws InvalidJwtException {
        JwtClaims claims = consumer.processToClaims(token);
        String subject = claims.getClaimValue("sub") instanceof String sub ? sub : "";
        List<Grants.TokenAccess> out = new ArrayList<>();
        Object access = claims.getClaimValue("access");
        if (access instanceof List<?> entries) {
            for (Object e : entries) {
                if (e instanceof Map<?, ?> m && m.get("type") instanceof String type && m.get("name") instanceof String name) {
                    List<String> actions = new ArrayList<>();
                    if (m.get("actions") instanceof List<?> list) {
                        list.forEach(a -> actions.add(String.valueOf(a)));
                    }
                    out.add(new Grants.TokenAccess(type, name, actions));
                }
            }
        }
        return new Verified(subject, out);
    }

    private final class Resolver implements VerificationKeyResolver {
        @Override
        public Key resolveKey(JsonWebSignature jws, List<JsonWebStructure> nesting) throws UnresolvableKeyException {
            try {
                List<X509Certificate> chain = jws.getCertificateChainHeaderValue();
                if (chain != null && !chain.isEmpty()) {
                    return verifiedChainKey(chain);
                }
            } catch (JoseException e) {
                throw new UnresolvableKeyException("malformed x5c header", e);
            }
            String kid = jws.getKeyIdHeaderValue();
            if (kid != null && trustedKeys.containsKey(kid)) {
                return trustedKeys.get(kid);
            }
            throw new UnresolvableKeyException("token signed by an untrusted key");
        }
    }

    private PublicKey verifiedChainKey(List<X509Certificate> chain) throws UnresolvableKeyException {
        if (anchors.isEmpty()) {
            throw new UnresolvableKeyException("x5c chain, but no rootcertbundle to verify it");
        }
        try {
            PKIXParameters params = new PKIXParameters(anchors);
            params.setRevocationEnabled(false);
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            CertPathValidator.getInstance("PKIX").validate(cf.generateCertPath(chain), params);
            return chain.get(0).getPublicKey();
        } catch (GeneralSecurityException e) {
            throw new UnresolvableKeyException("x5c chain does not verify against rootcertbundle: " + e.getMessage(), e);
        }
    }

    private void loadBundle(Path path) {
        Collection<? extends Certificate> certs;
        try (var in = Files.newInputStream(path)) {
            certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (IOException | GeneralSecurityException e) {
            throw new ConfigError("auth.token.rootcertbundle: cannot read certificates from " + path + ": " + e.getMessage());
        }
        if (certs.isEmpty()) {
            throw new ConfigError("auth.token.rootcertbundle: no certificate in " + path);
        }
        for (var c : certs) {
            X509Certificate cert = (X509Certificate) c;
            anchors.add(new TrustAnchor(cert, null));
            try {
                PublicJsonWebKey jwk = PublicJsonWebKey.Factory.newPublicJwk(cert.getPublicKey());
                trustedKeys.put(jwk.calculateBase64urlEncodedThumbprint("SHA-256"), cert.getPublicKey());
            } catch (JoseException e) {
                throw new ConfigError("auth.token.rootcertbundle: unsupported key in " + path + ": " + e.getMessage());
            }
        }
    }

    private void loadJwks(Path path) {
        try {
            JsonWebKeySet set = new JsonWebKeySet(Files.readString(path, StandardCharsets.UTF_8));
            for (JsonWebKey key : set.getJsonWebKeys()) {
                if (!(key instanceof PublicJsonWebKey pub)) {
                    throw new ConfigError("auth.token.jwks: " + path + " holds a non-public key (kid " + key.getKeyId() + ")");
                }
                trustedKeys.put(pub.calculateBase64urlEncodedThumbprint("SHA-256"), pub.getPublicKey());
                if (key.getKeyId() != null) {
                    trustedKeys.put(key.getKeyId(), pub.getPublicKey());
                }
            }
        } catch (IOException | JoseException e) {
            throw new ConfigError("auth.token.jwks: cannot read " + path + ": " + e.getMessage());
        }
    }
}
