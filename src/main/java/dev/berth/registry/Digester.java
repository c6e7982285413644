package dev.berth.registry;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;

/**
 * Hashes a stream as it passes. The JDK's digests, because their SHA-256 runs on the CPU's SHA
 * instructions (about 8x BouncyCastle's portable code here), which decides push throughput. Their
 * state cannot be exported, so a running digest continues in memory ({@link UploadDigests}) and
 * what is saved between requests is the finished digest at an offset.
 */
public final class Digester {
    private final DigestAlgorithm algorithm;
    private final MessageDigest digest;
    private long length;

    private Digester(DigestAlgorithm algorithm, MessageDigest digest, long length) {
        this.algorithm = algorithm;
        this.digest = digest;
        this.length = length;
    }

    public static Digester start(DigestAlgorithm algorithm) {
        try {
            return new Digester(algorithm, MessageDigest.getInstance(algorithm.jcaName()), 0);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public void update(Buffer buffer) {
        ByteBuf buf = buffer.getByteBuf();
        // piece by piece: nioBuffer() of a composite (a mirror's joined reads) would copy it whole first
        for (ByteBuffer piece : buf.nioBuffers()) {
            digest.update(piece);
        }
        length += buf.readableBytes();
    }

    public void update(byte[] bytes) {
        digest.update(bytes);
        length += bytes.length;
    }

    public long length() {
        return length;
    }

    public DigestAlgorithm algorithm() {
        return algorithm;
    }

    /** The digest of everything so far; the digester can go on. */
    public Digest digest() {
        try {
            return new Digest(algorithm, HexFormat.of().formatHex(((MessageDigest) digest.clone()).digest()));
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Digest of(DigestAlgorithm algorithm, Buffer content) {
        Digester d = start(algorithm);
        d.update(content);
        return d.digest();
    }

    public static Digest of(DigestAlgorithm algorithm, byte[] content) {
        Digester d = start(algorithm);
        d.update(content);
        return d.digest();
    }
}
