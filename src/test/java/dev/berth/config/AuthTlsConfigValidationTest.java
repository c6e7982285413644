package dev.berth.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code auth} and {@code http.tls} checks before start, and the Quarkus settings TLS becomes. */
class AuthTlsConfigValidationTest {
    @TempDir
    Path dir;

    private static DistributionConfigFile parse(String yaml) {
        DistributionConfigFile file = DistributionConfigFile.parse("test.yml", new StringReader(yaml), Map.of());
        new DistributionConfigValidator(file).validate();
        return file;
    }

    private static String error(String yaml) {
        return assertThrows(ConfigError.class, () -> parse(yaml)).getMessage();
    }

    private static final String STORAGE = "storage:\n  inmemory:\n";

    @Test
    void authErrorsNameTheirKey() throws Exception {
        Path htpasswd = Files.writeString(dir.resolve("htpasswd"), "");
        parse(STORAGE + "auth:\n  htpasswd:\n    realm: r\n    path: " + htpasswd + "\n");
        String missing = error(STORAGE + "auth:\n  htpasswd:\n    realm: r\n    path: " + dir.resolve("nope") + "\n");
        assertTrue(missing.startsWith("auth.htpasswd.path:") && missing.contains("nope"), missing);
        assertTrue(error(STORAGE + "auth:\n  htpasswd:\n    realm: r\n").startsWith("auth.htpasswd.path:"));
        assertTrue(error(STORAGE + "auth:\n  htpasswd:\n    path: " + htpasswd + "\n").startsWith("auth.htpasswd.realm:"));
        assertTrue(error(STORAGE + "auth:\n  token:\n    realm: r\n    service: s\n    issuer: i\n").startsWith("auth.token.rootcertbundle:"));
        assertTrue(error(STORAGE + "auth:\n  token:\n    realm: r\n    service: s\n    issuer: i\n    rootcertbundle: " + dir.resolve("x.pem")
                + "\n").startsWith("auth.token.rootcertbundle:"));
        assertTrue(error(STORAGE + "auth:\n  token:\n    realm: r\n    service: s\n    issuer: i\n    jwks: " + dir.resolve("x.json")
                + "\n").startsWith("auth.token.jwks:"));
        assertTrue(error(STORAGE + "auth:\n  token:\n    realm: r\n    issuer: i\n    jwks: " + htpasswd + "\n").startsWith("auth.token.service:"));
        assertTrue(error(STORAGE + "auth:\n  token:\n    realm: r\n    service: s\n    issuer: i\n    jwks: " + htpasswd
                + "\n    autoredirect: sometimes\n").startsWith("auth.token.autoredirect:"));
        assertTrue(error(STORAGE + "auth:\n  silly:\n    realm: r\n    service: s\n  htpasswd:\n    realm: r\n    path: " + htpasswd + "\n")
                .startsWith("auth:"));
        assertTrue(error(STORAGE + "auth:\n  ldap:\n    url: x\n").startsWith("auth.ldap:"));
        String token = STORAGE + "auth:\n  token:\n    realm: r\n    service: s\n    issuer: i\n    jwks: " + htpasswd + "\n";
        parse(token + "    signingalgorithms: [ES256, RS256, EdDSA]\n");
        String hmac = error(token + "    signingalgorithms: [ES256, HS256]\n");
        assertTrue(hmac.startsWith("auth.token.signingalgorithms:") && hmac.contains("HS256"), hmac);
        assertTrue(error(token + "    signingalgorithms:\n      - none\n").startsWith("auth.token.signingalgorithms:"));
    }

    @Test
    void tlsErrorsNameTheirKey() throws Exception {
        String cert = Files.writeString(dir.resolve("c.pem"), "").toString();
        String key = Files.writeString(dir.resolve("k.pem"), "").toString();
        assertTrue(error(STORAGE + "http:\n  tls:\n    letsencrypt:\n      cachefile: /c\n      email: a@b.c\n")
                .startsWith("http.tls.letsencrypt:"));
        assertTrue(error(STORAGE + "http:\n  tls:\n    certificate: /c.pem\n").startsWith("http.tls:"));
        String tls = STORAGE + "http:\n  tls:\n    certificate: " + cert + "\n    key: " + key + "\n";
        assertTrue(error(tls + "    minimumtls: tls1.4\n").startsWith("http.tls.minimumtls:"));
        assertTrue(error(tls + "    clientauth: request-client-cert\n").startsWith("http.tls.clientauth:"));
        parse(tls + "    clientauth: verify-client-cert-if-given\n");
        parse(tls + "    clientcas: [" + cert + "]\n");
    }

    /** Quarkus would fail on these with a stack trace of 34 lines; Berth stops with one naming the key. */
    @Test
    void missingTlsFilesAreOneLineNamingTheKey() throws Exception {
        String cert = Files.writeString(dir.resolve("c.pem"), "").toString();
        String key = Files.writeString(dir.resolve("k.pem"), "").toString();
        String missing = dir.resolve("missing.pem").toString();
        String noCert = error(STORAGE + "http:\n  tls:\n    certificate: " + missing + "\n    key: " + key + "\n");
        assertEquals("http.tls.certificate: no readable file, got \"" + missing + "\"", noCert.replace(" (test.yml)", ""));
        String noKey = error(STORAGE + "http:\n  tls:\n    certificate: " + cert + "\n    key: " + missing + "\n");
        assertTrue(noKey.startsWith("http.tls.key: no readable file") && noKey.contains(missing) && !noKey.contains("\n"), noKey);
        String noCa = error(STORAGE + "http:\n  tls:\n    certificate: " + cert + "\n    key: " + key + "\n    clientcas: [" + cert + ", "
                + missing + "]\n");
        assertTrue(noCa.startsWith("http.tls.clientcas: no readable file") && noCa.contains(missing), noCa);
    }

    @Test
    void tlsBecomesQuarkusHttpsSettings() {
        Map<String, String> flat = new HashMap<>(Map.of("http.tls.certificate", "/c.pem", "http.tls.key", "/k.pem",
                "http.tls.clientcas[0]", "/ca1.pem", "http.tls.clientcas[1]", "/ca2.pem", "http.tls.minimumtls", "tls1.3",
                "http.tls.ciphersuites[0]", "TLS_AES_128_GCM_SHA256"));
        Map<String, String> props = new HashMap<>();
        TlsSettings.apply(new OptionReader(flat, "", "test.yml"), 5443, props);
        assertEquals("5443", props.get("quarkus.http.ssl-port"));
        assertEquals("disabled", props.get("quarkus.http.insecure-requests"));
        assertEquals("/c.pem", props.get("quarkus.http.ssl.certificate.files"));
        assertEquals("/k.pem", props.get("quarkus.http.ssl.certificate.key-files"));
        assertEquals("/ca1.pem,/ca2.pem", props.get("quarkus.http.ssl.certificate.trust-store-files"));
        assertEquals("true", props.get("berth.tls.client-certificate-required"));
        assertEquals("TLSv1.3", props.get("quarkus.http.ssl.protocols"));
        assertEquals("TLS_AES_128_GCM_SHA256,TLS_AES_256_GCM_SHA384,TLS_CHACHA20_POLY1305_SHA256", props.get("quarkus.http.ssl.cipher-suites"));

        Map<String, String> tls12 = new HashMap<>();
        TlsSettings.apply(new OptionReader(Map.of("http.tls.certificate", "/c.pem", "http.tls.key", "/k.pem", "http.tls.ciphersuites[0]",
                "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "http.tls.clientcas[0]", "/ca.pem", "http.tls.clientauth", "verify-client-cert-if-given"),
                "", "test.yml"), 5443, tls12);
        assertEquals("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_AES_128_GCM_SHA256,TLS_AES_256_GCM_SHA384,TLS_CHACHA20_POLY1305_SHA256",
                tls12.get("quarkus.http.ssl.cipher-suites"));
        assertEquals("false", tls12.get("berth.tls.client-certificate-required"));
        assertEquals("TLSv1.3,TLSv1.2", tls12.get("quarkus.http.ssl.protocols"));

        Map<String, String> none = new HashMap<>();
        TlsSettings.apply(new OptionReader(Map.of(), "", "test.yml"), 5000, none);
        assertTrue(none.isEmpty(), none.toString());
    }
}
