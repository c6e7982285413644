package dev.berth.registry;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import dev.berth.config.HttpConfig;
import dev.berth.storage.PathNotFoundException;
import dev.berth.storage.StorageDriver;
import io.smallrye.mutiny.Uni;

/**
 * The upload-URL signer, keyed by {@code http.secret}. Without one, a random secret is generated once
 * and kept in storage, so upload URLs survive a restart and work on every replica sharing the storage.
 */
@ApplicationScoped
public class UploadTokens {
    private static final Logger LOG = Logger.getLogger(UploadTokens.class);

    @Inject
    HttpConfig http;
    @Inject
    StorageDriver driver;

    private volatile UploadToken cached;

    public Uni<UploadToken> get() {
        UploadToken token = cached;
        return token != null ? Uni.createFrom().item(token) : load().invoke(t -> cached = t);
    }

    private Uni<UploadToken> load() {
        if (http.secret().filter(s -> !s.isBlank()).isPresent()) {
            return Uni.createFrom().item(new UploadToken(http.secret().get().getBytes(StandardCharsets.UTF_8)));
        }
        return driver.getContent(StoragePaths.GENERATED_SECRET)
                .onFailure(PathNotFoundException.class).recoverWithUni(() -> {
                    byte[] random = new byte[32];
                    new SecureRandom().nextBytes(random);
                    byte[] secret = HexFormat.of().formatHex(random).getBytes(StandardCharsets.UTF_8);
                    // first writer wins, everyone re-reads: replicas starting together agree on one secret
                    return driver.putContentIfAbsent(StoragePaths.GENERATED_SECRET, secret)
                            .invoke(created -> {
                                if (created) {
                                    LOG.warn("http.secret is not set: generated one and stored it at " + StoragePaths.GENERATED_SECRET
                                            + "; set http.secret to the same value on every replica");
                                }
                            })
                            .chain(() -> driver.getContent(StoragePaths.GENERATED_SECRET));
                })
                .map(UploadToken::new);
    }
}
