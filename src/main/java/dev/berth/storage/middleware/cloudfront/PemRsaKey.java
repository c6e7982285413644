package dev.berth.storage.middleware.cloudfront;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.KeySpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPrivateCrtKeySpec;
import java.util.Base64;

import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.pkcs.RSAPrivateKey;

/**
 * Reads a CloudFront private key from PEM: PKCS#1 ({@code BEGIN RSA PRIVATE KEY}, what Distribution
 * reads) and PKCS#8 ({@code BEGIN PRIVATE KEY}, OpenSSL 3's default). Only BouncyCastle's ASN.1
 * classes are used, not its JCA provider, so the JDK's RSA does the signing.
 */
public final class PemRsaKey {
    private PemRsaKey() {
    }

    /** @throws IllegalArgumentException saying what is wrong with the file, in a few words */
    public static RSAPrivateCrtKey read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("file not found");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot be read (" + e.getMessage() + ")");
        }
        return parse(new String(bytes, StandardCharsets.US_ASCII));
    }

    static RSAPrivateCrtKey parse(String pem) {
        int begin = pem.indexOf("-----BEGIN ");
        if (begin < 0) {
            throw new IllegalArgumentException("not a PEM file (no -----BEGIN line)");
        }
        int typeEnd = pem.indexOf("-----", begin + 11);
        if (typeEnd < 0) {
            throw new IllegalArgumentException("not a PEM file (malformed -----BEGIN line)");
        }
        String type = pem.substring(begin + 11, typeEnd);
        String endLine = "-----END " + type + "-----";
        int end = pem.indexOf(endLine, typeEnd);
        if (end < 0) {
            throw new IllegalArgumentException("not a PEM file (no " + endLine + " line)");
        }
        String body = pem.substring(typeEnd + 5, end);
        if (body.contains("Proc-Type:") || type.startsWith("ENCRYPTED")) {
            throw new IllegalArgumentException("the key is encrypted; CloudFront keys must be unencrypted");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(body.replaceAll("\\s", ""));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("PEM body is not base64");
        }
        return switch (type) {
            case "RSA PRIVATE KEY" -> fromPkcs1(der);
            case "PRIVATE KEY" -> fromPkcs8(der);
            default -> throw new IllegalArgumentException("holds a " + type + ", not an RSA private key"
                    + " (BEGIN RSA PRIVATE KEY or BEGIN PRIVATE KEY)");
        };
    }

    private static RSAPrivateCrtKey fromPkcs1(byte[] der) {
        RSAPrivateKey k;
        try {
            k = RSAPrivateKey.getInstance(der);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("malformed PKCS#1 RSA key");
        }
        return generate(new RSAPrivateCrtKeySpec(k.getModulus(), k.getPublicExponent(), k.getPrivateExponent(),
                k.getPrime1(), k.getPrime2(), k.getExponent1(), k.getExponent2(), k.getCoefficient()));
    }

    private static RSAPrivateCrtKey fromPkcs8(byte[] der) {
        PrivateKeyInfo info;
        try {
            info = PrivateKeyInfo.getInstance(der);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("malformed PKCS#8 key");
        }
        if (info == null || !PKCSObjectIdentifiers.rsaEncryption.equals(info.getPrivateKeyAlgorithm().getAlgorithm())) {
            String algorithm = info == null ? "unknown" : info.getPrivateKeyAlgorithm().getAlgorithm().getId();
            throw new IllegalArgumentException("PKCS#8 key is not RSA (algorithm " + algorithm + ")");
        }
        return generate(new PKCS8EncodedKeySpec(der));
    }

    private static RSAPrivateCrtKey generate(KeySpec spec) {
        try {
            if (KeyFactory.getInstance("RSA").generatePrivate(spec) instanceof RSAPrivateCrtKey crt) {
                return crt;
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("malformed RSA key (" + e.getMessage() + ")");
        }
        throw new IllegalArgumentException("RSA key without CRT parameters is not supported");
    }
}
