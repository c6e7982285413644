package dev.berth.testsupport;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.keys.HmacKey;
import org.jose4j.lang.JoseException;

/**
 * A registry token issuer for tests: its own CA and signing keys (made by openssl), the
 * rootcertbundle and jwks files a registry trusts, and tokens signed with jose4j in every shape a
 * token service may send (x5c chain, kid thumbprint, jwks key) or an attacker may try.
 */
public final class TokenIssuer {
    public static final String ISSUER = "berth-test-issuer";
    public static final String SERVICE = "berth.test";
    public static final String JWKS_KID = "jwks-key-1";

    /** How a token names the key that signed it. */
    public enum Signer {
        /** ES256, x5c = [leaf] signed by the bundle's CA. */
        X5C,
        /** ES256, x5c = [leaf, CA]. */
        X5C_WITH_ROOT,
        /** RS256, kid = RFC 7638 thumbprint of a certificate's key in the bundle. */
        BUNDLE_KID,
        /** ES256, kid = the jwks file's own kid. */
        JWKS_KID,
        /** ES256, kid = RFC 7638 thumbprint of the jwks file's key. */
        JWKS_THUMBPRINT,
        /** ES256 by a key the registry does not know, x5c = its self-signed certificate. */
        STRANGER_X5C,
        /** ES256 by a key the registry does not know, kid = its thumbprint. */
        STRANGER_KID
    }

    public final Path dir;
    public final Path bundle;
    public final Path jwks;
    private final Pki.Pair ca;
    private final Pki.Pair leaf;
    private final Pki.Pair direct;
    private final Pki.Pair jwksKey;
    private final Pki.Pair stranger;

    private TokenIssuer(Path dir) {
        this.dir = dir;
        this.bundle = dir.resolve("rootcertbundle.pem");
        this.jwks = dir.resolve("jwks.json");
        this.ca = new Pki.Pair(dir.resolve("token-ca.key"), dir.resolve("token-ca.pem"));
        this.leaf = new Pki.Pair(dir.resolve("token-signer.key"), dir.resolve("token-signer.pem"));
        this.direct = new Pki.Pair(dir.resolve("token-direct.key"), dir.resolve("token-direct.pem"));
        this.jwksKey = new Pki.Pair(dir.resolve("jwks-key.key"), dir.resolve("jwks-key.pem"));
        this.stranger = new Pki.Pair(dir.resolve("stranger.key"), dir.resolve("stranger.pem"));
    }

    /** The issuer whose files are in {@code dir}, made there first when they are missing. */
    public static synchronized TokenIssuer in(Path dir) {
        TokenIssuer issuer = new TokenIssuer(dir.toAbsolutePath());
        if (!Files.exists(issuer.bundle)) {
            issuer.generate();
        }
        return issuer;
    }

    /**
     * One issuer per test JVM, in a fresh directory under target/ (named by a system property, so
     * test profiles and tests loaded by different class loaders find the same files).
     */
    public static synchronized TokenIssuer shared() {
        String property = "berth.test.token-issuer-dir";
        String dir = System.getProperty(property);
        if (dir == null) {
            dir = Path.of("target", "token-issuer-" + ProcessHandle.current().pid() + "-" + System.currentTimeMillis())
                    .toAbsolutePath().toString();
            System.setProperty(property, dir);
        }
        return in(Path.of(dir));
    }

    private void generate() {
        try {
            Files.createDirectories(dir);
            Pki.ca(dir, "token-ca", "ec");
            Pki.signed(dir, "token-signer", "ec", ca);
            Pki.ca(dir, "token-direct", "rsa");
            Pki.ca(dir, "jwks-key", "ec");
            Pki.ca(dir, "stranger", "ec");
            Files.writeString(bundle, Files.readString(ca.cert()) + Files.readString(direct.cert()));
            ECPublicKey jwk = (ECPublicKey) jwksKey.certificate().getPublicKey();
            Files.writeString(jwks, "{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"" + JWKS_KID + "\",\"use\":\"sig\",\"x\":\""
                    + b64(coordinate(jwk.getW().getAffineX())) + "\",\"y\":\"" + b64(coordinate(jwk.getW().getAffineY())) + "\"}]}\n");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A token builder with sensible defaults: this issuer, this service, valid for 5 minutes, signed via x5c. */
    public Builder token() {
        return new Builder();
    }

    public final class Builder {
        private String issuer = ISSUER;
        private Object audience = SERVICE;
        private String subject = "tester";
        private Instant expires = Instant.now().plusSeconds(300);
        private Instant notBefore = Instant.now().minusSeconds(10);
        private Instant issuedAt = Instant.now();
        private final List<Map<String, Object>> access = new ArrayList<>();
        private Signer signer = Signer.X5C;
        private boolean noExpiry;

        public Builder issuer(String issuer) {
            this.issuer = issuer;
            return this;
        }

        /** A string or a list of strings. */
        public Builder audience(Object audience) {
            this.audience = audience;
            return this;
        }

        public Builder subject(String subject) {
            this.subject = subject;
            return this;
        }

        /** An expiry in the past moves iat and nbf back too, as from an issuer whose clock is behind. */
        public Builder expires(Instant expires) {
            this.expires = expires;
            if (issuedAt.isAfter(expires)) {
                issuedAt = expires.minusSeconds(300);
                notBefore = issuedAt;
            }
            return this;
        }

        public Builder expiresIn(Duration duration) {
            this.expires = Instant.now().plus(duration);
            return this;
        }

        public Builder noExpiry() {
            this.noExpiry = true;
            return this;
        }

        /** A start in the future moves iat there too, as from an issuer whose clock is ahead. */
        public Builder notBefore(Instant notBefore) {
            this.notBefore = notBefore;
            if (notBefore.isAfter(issuedAt)) {
                issuedAt = notBefore;
            }
            return this;
        }

        public Builder signer(Signer signer) {
            this.signer = signer;
            return this;
        }

        /** {@code repository:name:actions}. */
        public Builder repository(String name, String... actions) {
            return access("repository", name, actions);
        }

        public Builder access(String type, String name, String... actions) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("type", type);
            entry.put("name", name);
            entry.put("actions", List.of(actions));
            access.add(entry);
            return this;
        }

        public String claimsJson() {
            JwtClaims claims = new JwtClaims();
            claims.setIssuer(issuer);
            if (audience instanceof List<?> list) {
                claims.setAudience(list.stream().map(String::valueOf).toList());
            } else {
                claims.setAudience((String) audience);
            }
            claims.setSubject(subject);
            if (!noExpiry) {
                claims.setExpirationTime(NumericDate.fromSeconds(expires.getEpochSecond()));
            }
            claims.setNotBefore(NumericDate.fromSeconds(notBefore.getEpochSecond()));
            claims.setIssuedAt(NumericDate.fromSeconds(issuedAt.getEpochSecond()));
            claims.setGeneratedJwtId();
            claims.setClaim("access", access);
            return claims.toJson();
        }

        public String sign() {
            JsonWebSignature jws = new JsonWebSignature();
            jws.setPayload(claimsJson());
            try {
                switch (signer) {
                    case X5C -> es256(jws, leaf).setCertificateChainHeaderValue(leaf.certificate());
                    case X5C_WITH_ROOT -> es256(jws, leaf).setCertificateChainHeaderValue(leaf.certificate(), ca.certificate());
                    case BUNDLE_KID -> {
                        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
                        jws.setKey(direct.privateKey());
                        jws.setKeyIdHeaderValue(thumbprint(direct.certificate().getPublicKey()));
                    }
                    case JWKS_KID -> es256(jws, jwksKey).setKeyIdHeaderValue(JWKS_KID);
                    case JWKS_THUMBPRINT -> es256(jws, jwksKey).setKeyIdHeaderValue(thumbprint(jwksKey.certificate().getPublicKey()));
                    case STRANGER_X5C -> es256(jws, stranger).setCertificateChainHeaderValue(stranger.certificate());
                    case STRANGER_KID -> es256(jws, stranger).setKeyIdHeaderValue(thumbprint(stranger.certificate().getPublicKey()));
                    default -> throw new IllegalStateException();
                }
                return jws.getCompactSerialization();
            } catch (JoseException e) {
                throw new IllegalStateException(e);
            }
        }

        private JsonWebSignature es256(JsonWebSignature jws, Pki.Pair key) {
            jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256);
            jws.setKey(key.privateKey());
            return jws;
        }

        /** {@code alg: none}, no signature, kid of a trusted key. */
        public String unsigned() {
            String header = "{\"alg\":\"none\",\"typ\":\"JWT\",\"kid\":\"" + thumbprint(direct.certificate().getPublicKey()) + "\"}";
            return b64(header.getBytes(StandardCharsets.UTF_8)) + "." + b64(claimsJson().getBytes(StandardCharsets.UTF_8)) + ".";
        }

        /**
         * HS256 keyed with the DER bytes of a trusted public key (the classic algorithm-confusion
         * attack: anyone holding the public certificate could mint these).
         */
        public String hmacWithPublicKey() {
            PublicKey pub = direct.certificate().getPublicKey();
            JsonWebSignature jws = new JsonWebSignature();
            jws.setPayload(claimsJson());
            jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.HMAC_SHA256);
            jws.setKeyIdHeaderValue(thumbprint(pub));
            jws.setKey(new HmacKey(pub.getEncoded()));
            jws.setDoKeyValidation(false);
            try {
                return jws.getCompactSerialization();
            } catch (JoseException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** A valid token whose payload is replaced by {@code payloadJson}, signature kept. */
    public static String withPayload(String token, String payloadJson) {
        String[] parts = token.split("\\.");
        return parts[0] + "." + b64(payloadJson.getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
    }

    public static String payloadJson(String token) {
        return new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8);
    }

    /** RFC 7638 JWK thumbprint (SHA-256, base64url), computed here without jose4j. */
    public static String thumbprint(PublicKey key) {
        String json;
        if (key instanceof ECPublicKey ec) {
            json = "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"" + b64(coordinate(ec.getW().getAffineX())) + "\",\"y\":\""
                    + b64(coordinate(ec.getW().getAffineY())) + "\"}";
        } else if (key instanceof RSAPublicKey rsa) {
            json = "{\"e\":\"" + b64(unsigned(rsa.getPublicExponent())) + "\",\"kty\":\"RSA\",\"n\":\"" + b64(unsigned(rsa.getModulus())) + "\"}";
        } else {
            throw new IllegalArgumentException(key.getAlgorithm());
        }
        try {
            return b64(MessageDigest.getInstance("SHA-256").digest(json.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] coordinate(BigInteger value) {
        byte[] raw = unsigned(value);
        byte[] out = new byte[32];
        System.arraycopy(raw, 0, out, 32 - raw.length, raw.length);
        return out;
    }

    private static byte[] unsigned(BigInteger value) {
        byte[] raw = value.toByteArray();
        return raw[0] == 0 && raw.length > 1 ? Arrays.copyOfRange(raw, 1, raw.length) : raw;
    }

    static String b64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
