package dev.berth.registry;

import java.util.regex.Pattern;

/** A content digest, {@code <algorithm>:<hex>}; only sha256 and sha512 are accepted. */
public record Digest(DigestAlgorithm algorithm, String hex) {
    private static final Pattern GRAMMAR = Pattern.compile("[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+");
    /** Distribution's route pattern for a digest reference. */
    private static final Pattern ROUTED_AS_DIGEST = Pattern.compile("[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}");

    /** Parses a digest from a request, refusing malformed or unsupported ones with DIGEST_INVALID. */
    public static Digest parse(String value) {
        if (value == null || value.length() > 256 || !GRAMMAR.matcher(value).matches()) {
            throw new RegistryException(ErrorCode.DIGEST_INVALID, "invalid digest: " + abbreviate(value));
        }
        int colon = value.indexOf(':');
        DigestAlgorithm algorithm = DigestAlgorithm.byName(value.substring(0, colon));
        if (algorithm == null) {
            throw new RegistryException(ErrorCode.DIGEST_INVALID, "unsupported digest algorithm: " + value.substring(0, colon));
        }
        String hex = value.substring(colon + 1);
        if (hex.length() != algorithm.hexLength() || !hex.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            throw new RegistryException(ErrorCode.DIGEST_INVALID, "invalid " + algorithm.id() + " digest: " + abbreviate(value));
        }
        return new Digest(algorithm, hex);
    }

    /**
     * True when a manifest reference is meant as a digest, so a bad one is DIGEST_INVALID rather than
     * a tag: an algorithm Berth knows before the colon, or the shape Distribution routes as a digest
     * (an algorithm, then at least 32 hex digits). Anything else with a colon is a (bad) tag.
     */
    public static boolean looksLikeDigest(String value) {
        int colon = value.indexOf(':');
        return colon > 0 && (DigestAlgorithm.byName(value.substring(0, colon)) != null || ROUTED_AS_DIGEST.matcher(value).matches());
    }

    static String abbreviate(String value) {
        if (value == null) {
            return "(none)";
        }
        return value.length() > 80 ? value.substring(0, 80) + "..." : value;
    }

    @Override
    public String toString() {
        return algorithm.id() + ":" + hex;
    }
}
