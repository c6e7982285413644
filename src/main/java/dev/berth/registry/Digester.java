package dev.berth.registry;

import java.util.HexFormat;

import org.bouncycastle.crypto.ExtendedDigest;

import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;

/** Hashes a stream as it passes, and can save and restore its state between requests. */
public final class Digester {
    private final DigestAlgorithm algorithm;
    private final ExtendedDigest digest;
    private long length;

    private Digester(DigestAlgorithm algorithm, ExtendedDigest digest, long length) {
        this.algorithm = algorithm;
        this.digest = digest;
        this.length = length;
    }

    public static Digester start(DigestAlgorithm algorithm) {
        return new Digester(algorithm, algorithm.newDigest(), 0);
    }

    /** Restores a state saved by {@link #state()} after {@code length} bytes. */
    public static Digester resume(DigestAlgorithm algorithm, byte[] state, long length) {
        return new Digester(algorithm, algorithm.restore(state), length);
    }

    public void update(Buffer buffer) {
        ByteBuf buf = buffer.getByteBuf();
        if (buf.hasArray()) {
            digest.update(buf.array(), buf.arrayOffset() + buf.readerIndex(), buf.readableBytes());
        } else {
            byte[] bytes = new byte[buf.readableBytes()];
            buf.getBytes(buf.readerIndex(), bytes);
            digest.update(bytes, 0, bytes.length);
        }
        length += buf.readableBytes();
    }

    public void update(byte[] bytes) {
        digest.update(bytes, 0, bytes.length);
        length += bytes.length;
    }

    public byte[] state() {
        return DigestAlgorithm.encodedState(digest);
    }

    public long length() {
        return length;
    }

    public DigestAlgorithm algorithm() {
        return algorithm;
    }

    /** The digest of everything so far; the digester keeps its state. */
    public Digest digest() {
        ExtendedDigest copy = algorithm.restore(state());
        byte[] out = new byte[copy.getDigestSize()];
        copy.doFinal(out, 0);
        return new Digest(algorithm, HexFormat.of().formatHex(out));
    }

    public static Digest of(DigestAlgorithm algorithm, byte[] content) {
        Digester d = start(algorithm);
        d.update(content);
        return d.digest();
    }

}
