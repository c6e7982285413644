package dev.berth.storage.s3;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.berth.storage.StorageUnavailableException;

/** A body cut short by the store: the read fails at once rather than waiting forever for the rest. */
class S3LostBodyTest {
    private static final int DECLARED = 1024 * 1024;
    private static final int SENT = 64 * 1024;

    @Test
    void aBodyTheStoreStopsSendingFailsTheRead() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread store = new Thread(() -> answerShort(server), "short-body-store");
            store.setDaemon(true);
            store.start();
            S3Settings settings = S3Settings.parse(Map.of("regionendpoint", "http://127.0.0.1:" + server.getLocalPort(),
                    "forcepathstyle", "true", "bucket", "b", "accesskey", "a", "secretkey", "s"), "test");
            try (S3Driver driver = S3DriverTestSupport.driver(settings)) {
                long start = System.nanoTime();
                Throwable e = assertThrows(Throwable.class, () -> driver.read("/blob", 0, -1)
                        .collect().in(ByteArrayOutputStream::new, (out, b) -> out.writeBytes(b.getBytes()))
                        .await().atMost(Duration.ofSeconds(20)));
                assertInstanceOf(StorageUnavailableException.class, e, "a broken transfer, not a wait");
                assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofSeconds(10)) < 0, "failed promptly");
            }
        }
    }

    /** Answers every request with a 200 that declares {@link #DECLARED} bytes, sends {@link #SENT}, and closes. */
    private static void answerShort(ServerSocket server) {
        while (!server.isClosed()) {
            try (Socket socket = server.accept()) {
                InputStream in = socket.getInputStream();
                ByteArrayOutputStream head = new ByteArrayOutputStream();
                while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                    int b = in.read();
                    if (b < 0) {
                        break;
                    }
                    head.write(b);
                }
                OutputStream out = socket.getOutputStream();
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: " + DECLARED + "\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                out.write(new byte[SENT]);
                out.flush();
            } catch (IOException e) {
                // the server socket was closed: the test is over
            }
        }
    }
}
