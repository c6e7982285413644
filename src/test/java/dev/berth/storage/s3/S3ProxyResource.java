package dev.berth.storage.s3;

import java.net.URI;
import java.util.Map;

import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/** An S3 server in the test JVM, on loopback, with an in-memory blob store and one bucket. */
public class S3ProxyResource implements QuarkusTestResourceLifecycleManager {
    public static final String BUCKET = "berth-test";
    public static final String ACCESS_KEY = "test-access";
    public static final String SECRET_KEY = "test-secret";

    private S3Proxy proxy;

    @Override
    public Map<String, String> start() {
        try {
            TransientNio2BlobStore store = new TransientNio2BlobStore();
            store.createContainer(BUCKET);
            proxy = S3Proxy.builder()
                    .blobStore(store)
                    .endpoint(URI.create("http://127.0.0.1:0"))
                    .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                    .ignoreUnknownHeaders(true)
                    .build();
            proxy.start();
            while (!proxy.getState().equals("STARTED")) {
                Thread.sleep(10);
            }
        } catch (Exception e) {
            throw new IllegalStateException("S3Proxy did not start", e);
        }
        return Map.of("storage.s3.regionendpoint", "http://127.0.0.1:" + proxy.getPort());
    }

    @Override
    public void stop() {
        if (proxy != null) {
            try {
                proxy.stop();
            } catch (Exception e) {
                // the JVM ends with the tests
            }
        }
    }
}
