package dev.berth.registry;

/** The digest algorithms Berth accepts. */
public enum DigestAlgorithm {
    SHA256("sha256", "SHA-256", 64),
    SHA512("sha512", "SHA-512", 128);

    private final String id;
    private final String jcaName;
    private final int hexLength;

    DigestAlgorithm(String id, String jcaName, int hexLength) {
        this.id = id;
        this.jcaName = jcaName;
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

    String jcaName() {
        return jcaName;
    }

    int hexLength() {
        return hexLength;
    }
}
