package dev.berth.registry;

import org.bouncycastle.crypto.digests.EncodableDigest;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.digests.SHA512Digest;

/**
 * The digest algorithms Berth accepts. BouncyCastle's digests, because their state can be saved and
 * restored between requests (the JDK's MessageDigest cannot), so a commit never re-reads the blob.
 */
public enum DigestAlgorithm {
    SHA256("sha256", 64),
    SHA512("sha512", 128);

    private final String id;
    private final int hexLength;

    DigestAlgorithm(String id, int hexLength) {
        this.id = id;
        this.hexLength = hexLength;
    }

    public static DigestAlgorithm byName(String name) {
        for (DigestAlgorithm a : values()) {
            if (a.id.equals(name)) {
                return a;
            }
        }
        return null;
    }

    public String id() {
        return id;
    }

    int hexLength() {
        return hexLength;
    }

    /** A fresh digest; it is also an {@link EncodableDigest}. */
    org.bouncycastle.crypto.ExtendedDigest newDigest() {
        return this == SHA256 ? new SHA256Digest() : new SHA512Digest();
    }

    org.bouncycastle.crypto.ExtendedDigest restore(byte[] state) {
        return this == SHA256 ? new SHA256Digest(state) : new SHA512Digest(state);
    }

    static byte[] encodedState(org.bouncycastle.crypto.ExtendedDigest digest) {
        return ((EncodableDigest) digest).getEncodedState();
    }
}
