package dev.berth.auth;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import javax.net.ssl.SSLPeerUnverifiedException;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import dev.berth.http.ErrorReply;
import dev.berth.http.Routes.Stage;
import dev.berth.registry.ErrorCode;
import io.vertx.ext.web.Router;

/**
 * With {@code http.tls.clientcas}, every request must come over a TLS connection whose client
 * presented a certificate that verified against those CAs (the handshake already verified it).
 */
@ApplicationScoped
public class ClientCertificateFilter {
    @ConfigProperty(name = "berth.tls.client-certificate-required", defaultValue = "false")
    boolean required;
    @Inject
    AuthFailures failures;

    void install(@Observes Router router) {
        if (!required) {
            return;
        }
        router.route().order(Stage.CLIENT_CERTIFICATE.order()).handler(ctx -> {
            boolean verified;
            try {
                verified = ctx.request().isSSL() && ctx.request().sslSession() != null
                        && ctx.request().sslSession().getPeerCertificates().length > 0;
            } catch (SSLPeerUnverifiedException e) {
                verified = false;
            }
            if (verified) {
                ctx.next();
                return;
            }
            failures.count(AuthFailures.Reason.client_certificate);
            ErrorReply.of(401, ErrorCode.UNAUTHORIZED, "a client certificate signed by a configured CA is required", null)
                    .send(ctx.response());
        });
    }
}
