package dev.berth.storage.middleware.cloudfront;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** Keys made and signatures checked by the openssl command, independent of the code under test. */
final class OpenSsl {
    private OpenSsl() {
    }

    /** {@code BEGIN RSA PRIVATE KEY}. */
    static Path rsaPkcs1(Path dir, String name) {
        Path key = dir.resolve(name);
        run("openssl", "genrsa", "-traditional", "-out", key.toString(), "2048");
        return key;
    }

    /** {@code BEGIN PRIVATE KEY} (OpenSSL 3's default). */
    static Path rsaPkcs8(Path dir, String name) {
        Path key = dir.resolve(name);
        run("openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", key.toString());
        return key;
    }

    /** {@code BEGIN EC PRIVATE KEY}. */
    static Path ecSec1(Path dir, String name) {
        Path key = dir.resolve(name);
        run("openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key.toString());
        return key;
    }

    /** {@code BEGIN PRIVATE KEY} holding an EC key. */
    static Path ecPkcs8(Path dir, String name) {
        Path key = dir.resolve(name);
        run("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key.toString());
        return key;
    }

    static Path publicKeyPem(Path privateKey) {
        Path pub = privateKey.resolveSibling(privateKey.getFileName() + ".pub");
        run("openssl", "pkey", "-in", privateKey.toString(), "-pubout", "-out", pub.toString());
        return pub;
    }

    static PublicKey publicKey(Path privateKey) {
        try {
            String pem = Files.readString(publicKeyPem(privateKey));
            String body = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
            return KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(body)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code openssl dgst -sha1 -verify}: true when the signature over {@code data} verifies. */
    static boolean verifySha1(Path publicKeyPem, byte[] data, byte[] signature) {
        try {
            Path dir = Files.createTempDirectory("verify");
            Path dataFile = Files.write(dir.resolve("policy.txt"), data);
            Path sigFile = Files.write(dir.resolve("sig.bin"), signature);
            Result r = exec("openssl", "dgst", "-sha1", "-verify", publicKeyPem.toString(), "-signature",
                    sigFile.toString(), dataFile.toString());
            return r.exit == 0 && r.output.contains("Verified OK");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static String policyOf(String resource, long expires) {
        return "{\"Statement\":[{\"Resource\":\"" + resource + "\",\"Condition\":{\"DateLessThan\":{\"AWS:EpochTime\":"
                + expires + "}}}]}";
    }

    private record Result(int exit, String output) {
    }

    private static void run(String... command) {
        Result r = exec(command);
        if (r.exit != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + r.output);
        }
    }

    private static Result exec(String... command) {
        try {
            Process p = new ProcessBuilder(new ArrayList<>(List.of(command))).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return new Result(p.waitFor(), out);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
