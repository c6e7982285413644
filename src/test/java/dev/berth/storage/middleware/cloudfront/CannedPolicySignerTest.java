package dev.berth.storage.middleware.cloudfront;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.interfaces.RSAPrivateCrtKey;
import java.time.Instant;
import java.util.concurrent.atomic.LongAdder;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import software.amazon.awssdk.services.cloudfront.CloudFrontUtilities;
import software.amazon.awssdk.services.cloudfront.model.CannedSignerRequest;

class CannedPolicySignerTest {
    private static final String URL = "https://d111111abcdef8.cloudfront.net/reg/docker/registry/v2/blobs/sha256/ab/"
            + "ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12/data";
    private static final long EXPIRES = 1_767_225_600L;

    @TempDir
    static Path dir;
    static Path pkcs1;
    static Path pkcs8;

    @BeforeAll
    static void keys() {
        pkcs1 = OpenSsl.rsaPkcs1(dir, "pkcs1.pem");
        pkcs8 = OpenSsl.rsaPkcs8(dir, "pkcs8.pem");
    }

    private static Path key(String kind) {
        return kind.equals("pkcs1") ? pkcs1 : pkcs8;
    }

    @ParameterizedTest
    @ValueSource(strings = {"pkcs1", "pkcs8"})
    void keyFilesAreWhatTheTestThinks(String kind) throws Exception {
        String header = kind.equals("pkcs1") ? "-----BEGIN RSA PRIVATE KEY-----" : "-----BEGIN PRIVATE KEY-----";
        assertTrue(Files.readString(key(kind)).startsWith(header));
    }

    @ParameterizedTest
    @ValueSource(strings = {"pkcs1", "pkcs8"})
    void signatureVerifiesWithOpensslAndTheQueryIsCloudFronts(String kind) {
        LongAdder count = new LongAdder();
        CannedPolicySigner signer = new CannedPolicySigner(PemRsaKey.read(key(kind)), "K2JCJMDEHXQW5F", count);
        String signed = signer.sign(URL, EXPIRES);
        assertEquals(1, count.sum());

        String prefix = URL + "?Expires=" + EXPIRES + "&Signature=";
        assertTrue(signed.startsWith(prefix), signed);
        assertTrue(signed.endsWith("&Key-Pair-Id=K2JCJMDEHXQW5F"), signed);
        String signature = signed.substring(prefix.length(), signed.indexOf("&Key-Pair-Id="));
        assertFalse(signature.contains("+") || signature.contains("/") || signature.contains("="), signature);

        byte[] raw = CannedPolicySigner.fromUrlSafeBase64(signature);
        Path pub = OpenSsl.publicKeyPem(key(kind));
        byte[] policy = OpenSsl.policyOf(URL, EXPIRES).getBytes(StandardCharsets.UTF_8);
        assertTrue(OpenSsl.verifySha1(pub, policy, raw), "openssl rejects the signature");
        // and the check can fail: another expiry is another policy
        assertFalse(OpenSsl.verifySha1(pub, OpenSsl.policyOf(URL, EXPIRES + 1).getBytes(StandardCharsets.UTF_8), raw));
    }

    @ParameterizedTest
    @ValueSource(strings = {"pkcs1", "pkcs8"})
    void sameUrlAsTheAwsSdk(String kind) {
        RSAPrivateCrtKey privateKey = PemRsaKey.read(key(kind));
        String ours = new CannedPolicySigner(privateKey, "K2JCJMDEHXQW5F", new LongAdder()).sign(URL, EXPIRES);
        String sdk = CloudFrontUtilities.create().getSignedUrlWithCannedPolicy(CannedSignerRequest.builder()
                .resourceUrl(URL)
                .privateKey(privateKey)
                .keyPairId("K2JCJMDEHXQW5F")
                .expirationDate(Instant.ofEpochSecond(EXPIRES))
                .build()).url();
        assertEquals(sdk, ours);
    }

    @ParameterizedTest
    @ValueSource(strings = {"pkcs1", "pkcs8"})
    void bothEncodingsGiveTheSameKey(String kind) {
        // openssl converts one to the other; the parsed keys must agree
        Path other = dir.resolve(kind + "-converted.pem");
        RSAPrivateCrtKey original = PemRsaKey.read(key(kind));
        try {
            String[] command = kind.equals("pkcs1")
                    ? new String[] {"openssl", "pkcs8", "-topk8", "-nocrypt", "-in", key(kind).toString(), "-out", other.toString()}
                    : new String[] {"openssl", "rsa", "-traditional", "-in", key(kind).toString(), "-out", other.toString()};
            assertEquals(0, new ProcessBuilder(command).redirectErrorStream(true).start().waitFor());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        RSAPrivateCrtKey converted = PemRsaKey.read(other);
        assertEquals(original.getModulus(), converted.getModulus());
        assertEquals(original.getPrivateExponent(), converted.getPrivateExponent());
        assertEquals(original.getCrtCoefficient(), converted.getCrtCoefficient());
    }

    @Test
    void urlSafeBase64Substitutions() {
        byte[] bytes = {(byte) 0xfb, (byte) 0xef, (byte) 0xff, 1};
        String encoded = CannedPolicySigner.urlSafeBase64(bytes);
        assertEquals("--~~AQ__", encoded);
        assertArrayEquals(bytes, CannedPolicySigner.fromUrlSafeBase64(encoded));
    }
}
