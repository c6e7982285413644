package dev.berth.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.berth.testsupport.Pki;

/** {@code http.tls}: HTTPS only, HTTP/2 by ALPN, mutual TLS with clientcas, minimumtls. Certificates by openssl. */
class TlsIT {
    @TempDir
    static Path work;
    static OciLayout layout;
    static Pki.Pair ca;
    static Pki.Pair server;
    static Pki.Pair client;
    static Pki.Pair strangerClient;
    /** ca.crt only. */
    static Path caDir;
    /** ca.crt, client.cert, client.key. */
    static Path clientDir;

    @BeforeAll
    static void certificates() throws Exception {
        layout = OciLayout.write(work.resolve("layout"), 2, 40_000);
        Path pki = Files.createDirectories(work.resolve("pki"));
        ca = Pki.ca(pki, "berth-test-ca", "ec");
        server = Pki.signed(pki, "server", "ec", ca, "subjectAltName=IP:127.0.0.1", "extendedKeyUsage=serverAuth");
        client = Pki.signed(pki, "client", "ec", ca, "extendedKeyUsage=clientAuth");
        Pki.Pair otherCa = Pki.ca(pki, "other-ca", "ec");
        strangerClient = Pki.signed(pki, "stranger-client", "ec", otherCa, "extendedKeyUsage=clientAuth");
        caDir = Files.createDirectories(work.resolve("certs-ca"));
        Files.copy(ca.cert(), caDir.resolve("ca.crt"));
        clientDir = Files.createDirectories(work.resolve("certs-client"));
        Files.copy(ca.cert(), clientDir.resolve("ca.crt"));
        Files.copy(client.cert(), clientDir.resolve("client.cert"));
        Files.copy(client.key(), clientDir.resolve("client.key"));
    }

    private static String storage(String name) {
        return "version: 0.1\nlog:\n  level: info\nstorage:\n  filesystem:\n    rootdirectory: " + work.resolve(name + "-data") + "\n";
    }

    private static String tls(String extra) {
        return "  tls:\n    certificate: " + server.cert() + "\n    key: " + server.key() + "\n" + extra;
    }

    private static BerthProcess start(String name, String tlsExtra) throws Exception {
        Path dir = Files.createDirectories(work.resolve(name));
        return BerthProcess.start(dir, storage(name), tls(tlsExtra), List.of(), Map.of());
    }

    static SSLContext context(Pki.Pair clientPair, String... protocols) throws Exception {
        return context(clientPair, false, protocols);
    }

    /** With {@code always}, the client certificate is sent whatever CAs the server asks for. */
    static SSLContext context(Pki.Pair clientPair, boolean always, String... protocols) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca.certificate());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        KeyManagerFactory kmf = null;
        if (clientPair != null) {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("client", clientPair.privateKey(), "pw".toCharArray(), new Certificate[] {clientPair.certificate()});
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, "pw".toCharArray());
        }
        SSLContext ctx = SSLContext.getInstance(protocols.length == 1 ? protocols[0] : "TLS");
        KeyManager[] managers = kmf == null ? null : kmf.getKeyManagers();
        if (always && managers != null) {
            X509ExtendedKeyManager km = (X509ExtendedKeyManager) managers[0];
            managers = new KeyManager[] {new X509ExtendedKeyManager() {
                @Override
                public String[] getClientAliases(String keyType, Principal[] issuers) {
                    return km.getClientAliases(keyType, null);
                }

                @Override
                public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
                    return km.chooseClientAlias(keyType, null, socket);
                }

                @Override
                public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
                    return km.chooseEngineClientAlias(keyType, null, engine);
                }

                @Override
                public String[] getServerAliases(String keyType, Principal[] issuers) {
                    return null;
                }

                @Override
                public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
                    return null;
                }

                @Override
                public X509Certificate[] getCertificateChain(String alias) {
                    return km.getCertificateChain(alias);
                }

                @Override
                public PrivateKey getPrivateKey(String alias) {
                    return km.getPrivateKey(alias);
                }
            }};
        }
        ctx.init(managers, tmf.getTrustManagers(), null);
        return ctx;
    }

    private static HttpResponse<String> get(SSLContext ctx, String url) throws Exception {
        HttpClient http = HttpClient.newBuilder().sslContext(ctx).version(HttpClient.Version.HTTP_2).connectTimeout(Duration.ofSeconds(10)).build();
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void httpsWithSkopeoHttp2AndNoPlainHttp() throws Exception {
        try (BerthProcess berth = start("tls", "")) {
            assertTrue(berth.url("/v2/").startsWith("https://"));
            HttpResponse<String> r = get(context(null), berth.url("/v2/"));
            assertEquals(200, r.statusCode());
            assertEquals(HttpClient.Version.HTTP_2, r.version(), "HTTP/2 negotiated by ALPN");
            assertEquals("registry/2.0", r.headers().firstValue("Docker-Distribution-API-Version").orElse(null));

            // plain HTTP on the same port gets no HTTP answer
            HttpURLConnection plain = (HttpURLConnection) URI.create("http://" + berth.hostPort() + "/v2/").toURL().openConnection();
            plain.setConnectTimeout(2000);
            plain.setReadTimeout(5000);
            int plainStatus;
            try {
                plainStatus = plain.getResponseCode();
            } catch (IOException refused) {
                plainStatus = -1;
            }
            assertTrue(plainStatus == -1 || plainStatus >= 400, "plain HTTP answered " + plainStatus);

            String ref = "docker://" + berth.hostPort() + "/it/tls:v1";
            Skopeo.Result untrusted = Skopeo.run("copy", "oci:" + layout.root + ":single", ref);
            assertNotEquals(0, untrusted.exitCode(), untrusted.output());
            assertTrue(untrusted.output().contains("certificate"), untrusted.output());

            Skopeo.ok("copy", "--dest-cert-dir", caDir.toString(), "oci:" + layout.root + ":single", ref);
            assertEquals(layout.singleDigest, Skopeo.ok("inspect", "--format", "{{.Digest}}", "--cert-dir", caDir.toString(), ref).trim());
            Path pulled = work.resolve("tls-pulled");
            Skopeo.ok("copy", "--src-cert-dir", caDir.toString(), ref, "oci:" + pulled + ":x");
            assertTrue(Files.readString(pulled.resolve("index.json")).contains(layout.singleDigest));
        }
    }

    @Test
    void mutualTlsNeedsAClientCertificateFromClientCas() throws Exception {
        try (BerthProcess berth = start("mtls", "    clientcas:\n      - " + ca.cert() + "\n")) {
            int withoutCert;
            try {
                HttpResponse<String> r = get(context(null), berth.url("/v2/"));
                withoutCert = r.statusCode();
                assertTrue(r.body().contains("UNAUTHORIZED"), r.body());
            } catch (IOException handshake) {
                withoutCert = -1;
            }
            assertTrue(withoutCert == 401 || withoutCert == -1, "without a client certificate: " + withoutCert);
            // a certificate from another CA, sent although the server's certificate request names only ours
            int stranger;
            try {
                stranger = get(context(strangerClient, true), berth.url("/v2/")).statusCode();
            } catch (IOException handshake) {
                stranger = -1;
            }
            System.out.println("mutual TLS: without a certificate " + withoutCert + ", with another CA's " + stranger + " (-1: handshake refused)");
            assertTrue(stranger == 401 || stranger == -1, "with a certificate from another CA: " + stranger);

            HttpResponse<String> ok = get(context(client), berth.url("/v2/"));
            assertEquals(200, ok.statusCode());
            assertEquals(HttpClient.Version.HTTP_2, ok.version());

            String ref = "docker://" + berth.hostPort() + "/it/mtls:v1";
            Skopeo.Result noCert = Skopeo.run("copy", "--dest-cert-dir", caDir.toString(), "oci:" + layout.root + ":single", ref);
            assertNotEquals(0, noCert.exitCode(), noCert.output());
            Skopeo.ok("copy", "--dest-cert-dir", clientDir.toString(), "oci:" + layout.root + ":single", ref);
            assertEquals(layout.singleDigest, Skopeo.ok("inspect", "--format", "{{.Digest}}", "--cert-dir", clientDir.toString(), ref).trim());
            String raw = Skopeo.ok("inspect", "--raw", "--cert-dir", clientDir.toString(), ref);
            assertEquals(layout.singleDigest, OciLayout.sha256(raw.getBytes(StandardCharsets.UTF_8)));
        }
    }

    /** Another key format (SEC1 "EC PRIVATE KEY", as certbot writes ECDSA keys) and a TLS 1.2 cipher suite list. */
    @Test
    void sec1KeyAndCipherSuitesLeaveTls13Alone() throws Exception {
        Path sec1 = work.resolve("pki/server-sec1.key");
        Pki.run(List.of("openssl", "ec", "-in", server.key().toString(), "-out", sec1.toString()));
        assertTrue(Files.readString(sec1).contains("BEGIN EC PRIVATE KEY"));
        Path dir = Files.createDirectories(work.resolve("suites"));
        String http = "  tls:\n    certificate: " + server.cert() + "\n    key: " + sec1 + "\n    ciphersuites:\n"
                + "      - TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256\n";
        try (BerthProcess berth = BerthProcess.start(dir, storage("suites"), http, List.of(), Map.of())) {
            assertEquals("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", handshake(berth, "TLSv1.2", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"));
            assertThrows(SSLHandshakeException.class, () -> handshake(berth, "TLSv1.2", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"));
            // as in Go, the list names TLS 1.0-1.2 suites; TLS 1.3 keeps its own
            assertEquals("TLS_AES_256_GCM_SHA384", handshake(berth, "TLSv1.3", "TLS_AES_256_GCM_SHA384"));
            HttpResponse<String> r = get(context(null), berth.url("/v2/"));
            assertEquals(200, r.statusCode());
        }
    }

    /** The suite negotiated by a client offering only {@code protocol} and {@code suite}. */
    private static String handshake(BerthProcess berth, String protocol, String suite) throws Exception {
        try (SSLSocket socket = (SSLSocket) context(null).getSocketFactory().createSocket("127.0.0.1", berth.port())) {
            socket.setEnabledProtocols(new String[] {protocol});
            socket.setEnabledCipherSuites(new String[] {suite});
            socket.setSoTimeout(10_000);
            socket.startHandshake();
            return socket.getSession().getCipherSuite();
        }
    }

    /** {@code clientauth: verify-client-cert-if-given}: no certificate is fine, one from another CA is not. */
    @Test
    void clientCertificateIfGiven() throws Exception {
        try (BerthProcess berth = start("mtls-optional", "    clientcas:\n      - " + ca.cert() + "\n    clientauth: verify-client-cert-if-given\n")) {
            assertEquals(200, get(context(null), berth.url("/v2/")).statusCode());
            assertEquals(200, get(context(client), berth.url("/v2/")).statusCode());
            int stranger;
            try {
                stranger = get(context(strangerClient, true), berth.url("/v2/")).statusCode();
            } catch (IOException handshake) {
                stranger = -1;
            }
            assertNotEquals(200, stranger, "a certificate from another CA must not pass");
        }
    }

    @Test
    void minimumTls13RefusesATls12Client() throws Exception {
        try (BerthProcess berth = start("tls13", "    minimumtls: tls1.3\n")) {
            try (SSLSocket socket = (SSLSocket) context(null).getSocketFactory().createSocket("127.0.0.1", berth.port())) {
                socket.setEnabledProtocols(new String[] {"TLSv1.2"});
                socket.setSoTimeout(10_000);
                assertThrows(SSLHandshakeException.class, socket::startHandshake);
            }
            try (SSLSocket socket = (SSLSocket) context(null).getSocketFactory().createSocket("127.0.0.1", berth.port())) {
                socket.setEnabledProtocols(new String[] {"TLSv1.3"});
                socket.setSoTimeout(10_000);
                socket.startHandshake();
                assertEquals("TLSv1.3", socket.getSession().getProtocol());
                socket.getOutputStream().write("GET /v2/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                assertTrue(response.startsWith("HTTP/1.1 200"), response);
            }
        }
        // the default (tls1.2) accepts a TLS 1.2 client
        try (BerthProcess berth = start("tls12", "")) {
            try (SSLSocket socket = (SSLSocket) context(null).getSocketFactory().createSocket("127.0.0.1", berth.port())) {
                socket.setEnabledProtocols(new String[] {"TLSv1.2"});
                socket.startHandshake();
                assertEquals("TLSv1.2", socket.getSession().getProtocol());
            }
        }
    }
}
