package dev.berth.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.berth.testsupport.Pki;

/**
 * A mirror of an HTTPS upstream whose certificate a private CA signed (Distribution 2.8.2 with TLS):
 * Berth trusts it once the CA is in the JVM's trust store ({@code javax.net.ssl.trustStore}), and
 * refuses it without.
 */
class MirrorTlsIT {
    @TempDir
    static Path work;

    @Test
    void anHttpsUpstreamIsMirroredOnceItsCaIsInTheJvmTrustStore() throws Exception {
        Path pki = Files.createDirectories(work.resolve("pki"));
        Pki.Pair ca = Pki.ca(pki, "upstream-ca", "ec");
        Pki.Pair certificate = Pki.signed(pki, "upstream", "ec", ca, "subjectAltName=IP:127.0.0.1", "extendedKeyUsage=serverAuth");
        Path trustStore = pki.resolve("trust.p12");
        Pki.run(List.of("keytool", "-importcert", "-noprompt", "-alias", "upstream-ca", "-file", ca.cert().toString(),
                "-keystore", trustStore.toString(), "-storetype", "PKCS12", "-storepass", "changeit"));
        OciLayout layout = OciLayout.write(work.resolve("layout"), 1, 64 * 1024);
        Path up = Files.createDirectories(work.resolve("upstream"));
        try (ReferenceRegistry upstream = ReferenceRegistry.startTls(up, "storage:\n  filesystem:\n    rootdirectory: " + up.resolve("data") + "\n",
                certificate)) {
            Skopeo.ok("copy", "--all", "--dest-tls-verify=false", "oci:" + layout.root + ":multi", "docker://" + upstream.hostPort() + "/library/app:multi");
            String config = "version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: %s\nproxy:\n  remoteurl: https://" + upstream.hostPort() + "\n";

            try (BerthProcess mirror = BerthProcess.start(Files.createDirectories(work.resolve("mirror")), config.formatted(work.resolve("mirror-data")),
                    List.of("-Djavax.net.ssl.trustStore=" + trustStore, "-Djavax.net.ssl.trustStorePassword=changeit"), Map.of())) {
                Path pulled = work.resolve("pulled");
                Skopeo.ok("copy", "--all", "--src-tls-verify=false", "docker://" + mirror.hostPort() + "/library/app:multi", "oci:" + pulled + ":x");
                layout.assertSameBlobs(pulled);
            }

            try (BerthProcess untrusting = BerthProcess.start(Files.createDirectories(work.resolve("untrusting")),
                    config.formatted(work.resolve("untrusting-data")), List.of(), Map.of())) {
                HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(untrusting.url("/v2/library/app/manifests/multi")))
                        .header("Accept", MirrorIT.ACCEPT).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(503, r.statusCode(), "an upstream whose certificate is not trusted is unreachable: " + r.body());
            }
        }
    }
}
