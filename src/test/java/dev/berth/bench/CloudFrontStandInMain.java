package dev.berth.bench;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.util.Base64;

import dev.berth.storage.middleware.cloudfront.CloudFrontStandIn;

/**
 * The CloudFront stand-in as a process for bench/run.sh:
 * {@code CloudFrontStandInMain PUBLIC_KEY_PEM KEY_PAIR_ID ORIGIN_BUCKET_URL BASEURL_FILE}. It writes
 * its base URL to BASEURL_FILE and serves until killed.
 */
public final class CloudFrontStandInMain {
    private CloudFrontStandInMain() {
    }

    public static void main(String[] args) throws Exception {
        String pem = Files.readString(Path.of(args[0]))
                .replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        PublicKey key = KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(pem)));
        CloudFrontStandIn standIn = new CloudFrontStandIn(key, args[1], URI.create(args[2]), Clock.systemUTC());
        Files.writeString(Path.of(args[3]), standIn.baseUrl());
        Thread.currentThread().join();
    }
}
