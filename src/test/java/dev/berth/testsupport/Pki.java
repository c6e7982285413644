package dev.berth.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * Certificates and keys made by the openssl command at test time, independent of the code under
 * test: a CA, certificates it signs (server, client, token signing) and self-signed ones.
 */
public final class Pki {
    private Pki() {
    }

    /** A key (PKCS#8 PEM) and its certificate (PEM). */
    public record Pair(Path key, Path cert) {
        public PrivateKey privateKey() {
            return readPrivateKey(key);
        }

        public X509Certificate certificate() {
            return readCertificate(cert);
        }
    }

    /** {@code ec} (P-256) or {@code rsa} (2048). */
    private static List<String> newKey(String type) {
        return type.equals("rsa") ? List.of("-newkey", "rsa:2048") : List.of("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256");
    }

    /** A self-signed CA certificate. */
    public static Pair ca(Path dir, String name, String keyType) {
        Path key = dir.resolve(name + ".key");
        Path cert = dir.resolve(name + ".pem");
        List<String> cmd = new ArrayList<>(List.of("openssl", "req", "-x509"));
        cmd.addAll(newKey(keyType));
        cmd.addAll(List.of("-nodes", "-keyout", key.toString(), "-out", cert.toString(), "-days", "3", "-subj", "/CN=" + name,
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign,digitalSignature"));
        run(cmd);
        return new Pair(key, cert);
    }

    /**
     * A certificate signed by {@code ca} with the given extensions (openssl x509v3 config lines such
     * as {@code subjectAltName=IP:127.0.0.1} and {@code extendedKeyUsage=serverAuth}).
     */
    public static Pair signed(Path dir, String name, String keyType, Pair ca, String... extensions) {
        Path key = dir.resolve(name + ".key");
        Path csr = dir.resolve(name + ".csr");
        Path cert = dir.resolve(name + ".pem");
        Path ext = dir.resolve(name + ".ext");
        try {
            Files.writeString(ext, "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
                    + String.join("\n", extensions) + "\n");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        List<String> req = new ArrayList<>(List.of("openssl", "req", "-new"));
        req.addAll(newKey(keyType));
        req.addAll(List.of("-nodes", "-keyout", key.toString(), "-out", csr.toString(), "-subj", "/CN=" + name));
        run(req);
        byte[] serial = new byte[8];
        new SecureRandom().nextBytes(serial);
        run(List.of("openssl", "x509", "-req", "-in", csr.toString(), "-CA", ca.cert().toString(), "-CAkey", ca.key().toString(),
                "-set_serial", "0x" + HexFormat.of().formatHex(serial).replaceFirst("^0", "1"), "-days", "3", "-out", cert.toString(),
                "-extfile", ext.toString()));
        return new Pair(key, cert);
    }

    /** A PKCS#8 PEM private key (EC or RSA). */
    public static PrivateKey readPrivateKey(Path pem) {
        try {
            String text = Files.readString(pem, StandardCharsets.US_ASCII);
            if (!text.contains("BEGIN PRIVATE KEY")) {
                throw new IllegalStateException(pem + " is not PKCS#8");
            }
            byte[] der = Base64.getMimeDecoder().decode(text.replaceAll("-----[A-Z ]+-----", ""));
            for (String alg : List.of("EC", "RSA")) {
                try {
                    return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(der));
                } catch (InvalidKeySpecException wrongType) {
                    // try the next
                }
            }
            throw new IllegalStateException("unsupported key " + pem);
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static X509Certificate readCertificate(Path pem) {
        try (InputStream in = Files.newInputStream(pem)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static void run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed:\n" + out);
            }
        } catch (IOException e) {
            throw new IllegalStateException("openssl is required: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
