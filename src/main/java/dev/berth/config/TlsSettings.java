package dev.berth.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code http.tls} as Quarkus HTTPS settings: the listen port becomes the TLS port and plain HTTP is
 * off. Client certificates are requested (build-time {@code quarkus.http.ssl.client-auth=request})
 * and verified against {@code clientcas}; requiring one is enforced per request by
 * {@code dev.berth.auth.ClientCertificateFilter}, because Quarkus fixes client-auth at build time.
 */
final class TlsSettings {
    static final List<String> TLS13_SUITES = List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256");
    private TlsSettings() {
    }

    static void apply(OptionReader config, int port, Map<String, String> props) {
        Optional<String> certificate = config.string("http.tls.certificate");
        if (certificate.isEmpty()) {
            return;
        }
        props.put("quarkus.http.ssl-port", Integer.toString(port));
        props.put("quarkus.http.insecure-requests", "disabled");
        props.put("quarkus.http.ssl.certificate.files", certificate.get());
        props.put("quarkus.http.ssl.certificate.key-files", config.string("http.tls.key", ""));
        List<String> cas = config.list("http.tls.clientcas");
        if (!cas.isEmpty()) {
            props.put("quarkus.http.ssl.certificate.trust-store-files", String.join(",", cas));
            props.put("quarkus.http.ssl.certificate.trust-store-file-type", "PEM");
            // Go's default with clientcas; verify-client-cert-if-given lets clients without one in
            // (a certificate that is given is still verified by the handshake)
            String clientAuth = config.string("http.tls.clientauth", "").toLowerCase();
            boolean optional = clientAuth.equals("verify-client-cert-if-given");
            props.put("berth.tls.client-certificate-required", Boolean.toString(!optional));
        }
        String minimum = config.string("http.tls.minimumtls", "tls1.2");
        props.put("quarkus.http.ssl.protocols", switch (minimum) {
            case "tls1.3" -> "TLSv1.3";
            case "tls1.1" -> "TLSv1.3,TLSv1.2,TLSv1.1";
            case "tls1.0" -> "TLSv1.3,TLSv1.2,TLSv1.1,TLSv1";
            default -> "TLSv1.3,TLSv1.2";
        });
        List<String> ciphers = config.list("http.tls.ciphersuites");
        if (!ciphers.isEmpty()) {
            // as in Go, the list restricts TLS 1.0-1.2 only: TLS 1.3 keeps its suites (the JDK would
            // otherwise drop them, and TLS 1.3 could not be negotiated at all)
            List<String> all = new ArrayList<>(ciphers);
            for (String tls13 : TLS13_SUITES) {
                if (!all.contains(tls13)) {
                    all.add(tls13);
                }
            }
            props.put("quarkus.http.ssl.cipher-suites", String.join(",", all));
        }
    }
}
