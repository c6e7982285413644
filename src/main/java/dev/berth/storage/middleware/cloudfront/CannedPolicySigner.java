package dev.berth.storage.middleware.cloudfront;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.security.interfaces.RSAPrivateKey;
import java.util.Base64;
import java.util.concurrent.atomic.LongAdder;

/**
 * Signs a URL for CloudFront with a canned policy, byte for byte as aws-sdk-go's URLSigner does:
 * SHA1withRSA over {@code {"Statement":[{"Resource":"<url>","Condition":{"DateLessThan":{"AWS:EpochTime":<n>}}}]}},
 * CloudFront's URL-safe base64, then {@code ?Expires=&Signature=&Key-Pair-Id=}.
 */
public final class CannedPolicySigner {
    private final RSAPrivateKey key;
    private final String keyPairId;
    private final LongAdder signatures;
    // Signature objects are not thread-safe; one per thread avoids both locking and re-creation
    private final ThreadLocal<Signature> signature;

    public CannedPolicySigner(RSAPrivateKey key, String keyPairId, LongAdder signatures) {
        this.key = key;
        this.keyPairId = keyPairId;
        this.signatures = signatures;
        this.signature = ThreadLocal.withInitial(this::newSignature);
    }

    private Signature newSignature() {
        try {
            Signature s = Signature.getInstance("SHA1withRSA");
            s.initSign(key);
            return s;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA1withRSA unavailable", e);
        }
    }

    /** Checks once that the key can sign, so a bad key fails at startup, not on the first pull. */
    public CannedPolicySigner verified() {
        sign("https://check.invalid/", 0);
        return this;
    }

    public String keyPairId() {
        return keyPairId;
    }

    /** {@code resourceUrl} has no query and only characters a JSON string carries unescaped. */
    public String sign(String resourceUrl, long expiresEpochSeconds) {
        byte[] policy = cannedPolicy(resourceUrl, expiresEpochSeconds).getBytes(StandardCharsets.UTF_8);
        byte[] raw;
        try {
            Signature s = signature.get();
            s.update(policy);
            raw = s.sign();
        } catch (GeneralSecurityException e) {
            signature.remove();
            throw new IllegalStateException("CloudFront signing failed", e);
        }
        signatures.increment();
        return resourceUrl + "?Expires=" + expiresEpochSeconds + "&Signature=" + urlSafeBase64(raw)
                + "&Key-Pair-Id=" + keyPairId;
    }

    public static String cannedPolicy(String resourceUrl, long expiresEpochSeconds) {
        return "{\"Statement\":[{\"Resource\":\"" + resourceUrl
                + "\",\"Condition\":{\"DateLessThan\":{\"AWS:EpochTime\":" + expiresEpochSeconds + "}}}]}";
    }

    /** Standard base64 with {@code + = /} replaced by {@code - _ ~}. */
    public static String urlSafeBase64(byte[] bytes) {
        byte[] b = Base64.getEncoder().encode(bytes);
        for (int i = 0; i < b.length; i++) {
            switch (b[i]) {
                case '+' -> b[i] = '-';
                case '=' -> b[i] = '_';
                case '/' -> b[i] = '~';
                default -> {
                }
            }
        }
        return new String(b, StandardCharsets.US_ASCII);
    }

    /** Inverse of {@link #urlSafeBase64}. */
    public static byte[] fromUrlSafeBase64(String text) {
        return Base64.getDecoder().decode(text.replace('-', '+').replace('_', '=').replace('~', '/'));
    }
}
