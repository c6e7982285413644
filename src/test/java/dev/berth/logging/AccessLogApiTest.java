package dev.berth.logging;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.berth.notifications.NotificationsProfile;
import dev.berth.testsupport.LogCapture;
import dev.berth.testsupport.Poll;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;

/**
 * The access log's status field on filesystem storage: the status of a response sent in full, {@code aborted}
 * for an upload whose client hung up mid-body; a download sent as a file and cut by its client keeps its 200.
 */
@QuarkusTest
@TestProfile(NotificationsProfile.class)
class AccessLogApiTest {
    private static final String AUTH = "Basic "
            + Base64.getEncoder().encodeToString((NotificationsProfile.USER + ":" + NotificationsProfile.PASSWORD).getBytes());

    @Test
    void aResponseSentHasItsStatusAndAnUploadCutByItsClientIsAborted() throws Exception {
        String repo = "access/" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        // more than socket buffers hold: the file cannot be sent before the client hangs up
        byte[] big = new byte[32 * 1024 * 1024];
        new Random(7).nextBytes(big);
        String digest = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(big));
        try (LogCapture access = LogCapture.of("dev.berth.access")) {
            given().urlEncodingEnabled(false).header("Authorization", AUTH).contentType("application/octet-stream").body(big)
                    .post("/v2/" + repo + "/blobs/uploads/?digest=" + digest).then().statusCode(201);
            given().urlEncodingEnabled(false).header("Authorization", AUTH).get("/v2/" + repo + "/blobs/" + digest).then().statusCode(200);

            // a download whose client reads the head, then hangs up
            try (Socket socket = connect()) {
                send(socket, "GET /v2/" + repo + "/blobs/" + digest + " HTTP/1.1\r\n");
                assertEquals("HTTP/1.1 200", new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII));
                socket.setSoLinger(true, 0);
            }
            // an upload whose client sends half its body, then hangs up
            try (Socket socket = connect()) {
                send(socket, "POST /v2/" + repo + "/blobs/uploads/?digest=" + digest + " HTTP/1.1\r\nContent-Type: application/octet-stream\r\n"
                        + "Content-Length: " + big.length + "\r\n");
                socket.getOutputStream().write(big, 0, big.length / 2);
                socket.getOutputStream().flush();
                socket.setSoLinger(true, 0);
            }

            // the file handed to the kernel counts as sent (Vert.x reports its end), as Distribution logs every cut download
            List<String> statuses = awaitLines(access, 4).stream().map(AccessLogApiTest::status).toList();
            assertEquals(List.of("201", "200", "200", "aborted"), statuses, access.lines()::toString);
        }
    }

    private static Socket connect() throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(8192);
        socket.connect(new InetSocketAddress("127.0.0.1", RestAssured.port));
        return socket;
    }

    /** {@code requestLine} and more headers, with Host and Authorization, ending the head. */
    private static void send(Socket socket, String head) throws IOException {
        socket.getOutputStream().write((head + "Host: 127.0.0.1\r\nAuthorization: " + AUTH + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
    }

    /** The status field of a combined-log line: the word after the quoted request. */
    private static String status(String line) {
        return line.replaceFirst("^.*\" (\\S+) \\d+ \".*$", "$1");
    }

    /** The lines once there are {@code count} (and a moment for any extra to show). */
    private static List<String> awaitLines(LogCapture log, int count) throws InterruptedException {
        Poll.until(() -> log.lines().size() >= count, Duration.ofSeconds(15), count + " access log lines");
        Thread.sleep(300);
        return log.lines();
    }
}
