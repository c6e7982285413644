package dev.berth.it;

import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;

/** A large deterministic byte stream, generated as it is read (never held in memory), hashed as it goes. */
final class GeneratedContent extends InputStream {
    private final SplittableRandom random;
    private final MessageDigest sha256;
    private long remaining;

    GeneratedContent(long size, long seed) {
        this.remaining = size;
        this.random = new SplittableRandom(seed);
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public int read() {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        if (remaining == 0) {
            return -1;
        }
        int n = (int) Math.min(len, remaining);
        for (int i = 0; i < n; i++) {
            b[off + i] = (byte) random.nextInt(256);
        }
        sha256.update(b, off, n);
        remaining -= n;
        return n;
    }

    /** The digest of everything read so far (call after the stream is exhausted). */
    String digest() {
        return "sha256:" + HexFormat.of().formatHex(sha256.digest());
    }
}
