package dev.berth.storage.s3;

import java.net.URI;
import java.util.Map;

import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;

import dev.berth.testsupport.S3Requests;
import dev.berth.testsupport.TcpRelay;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * An S3 server in the test JVM, on loopback, with an in-memory blob store and one bucket. With the
 * init argument {@code outages=true} Berth reaches it through a relay, so a test can take it off
 * the network ({@link #outage}).
 */
public class S3ProxyResource implements QuarkusTestResourceLifecycleManager {
    public static final String BUCKET = "berth-test";
    public static final String ACCESS_KEY = "test-access";
    public static final String SECRET_KEY = "test-secret";
    /** Init argument: put the relay in front. */
    public static final String OUTAGES = "outages";

    /** The relay of the running profile, if it has one. */
    private static volatile TcpRelay relay;

    private S3Proxy proxy;
    private boolean outages;

    @Override
    public void init(Map<String, String> initArgs) {
        outages = Boolean.parseBoolean(initArgs.getOrDefault(OUTAGES, "false"));
    }

    /**
     * Runs {@code during} while S3 is unreachable: every open connection to it is reset and new
     * ones are refused; afterwards it answers again on the same address, with the same objects.
     */
    public static void outage(ThrowingRunnable during) throws Exception {
        TcpRelay current = relay();
        current.cut();
        try {
            during.run();
        } finally {
            current.restore();
        }
    }

    /** The S3 requests Berth sent through the relay. */
    public static S3Requests requests() {
        return relay().requests();
    }

    /** Holds every S3 request from now on back by {@code millis} (0: none), as a distant S3 would. */
    public static void latency(long millis) {
        relay().latency(millis);
    }

    private static TcpRelay relay() {
        TcpRelay current = relay;
        if (current == null) {
            throw new IllegalStateException("S3ProxyResource was started without " + OUTAGES + "=true");
        }
        return current;
    }

    public interface ThrowingRunnable {
        void run() throws Exception;
    }

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
        int port = proxy.getPort();
        if (outages) {
            relay = TcpRelay.readingHttp(port);
            port = relay.port();
        }
        return Map.of("storage.s3.regionendpoint", "http://127.0.0.1:" + port);
    }

    @Override
    public void stop() {
        if (relay != null) {
            relay.close();
            relay = null;
        }
        if (proxy != null) {
            try {
                proxy.stop();
            } catch (Exception e) {
                // the JVM ends with the tests
            }
        }
    }
}
