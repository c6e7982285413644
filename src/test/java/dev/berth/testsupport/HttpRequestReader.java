package dev.berth.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Follows the HTTP/1.1 requests of one client connection as its bytes are relayed: request heads
 * are recorded (and held back by the latency), bodies of a Content-Length passed through as they
 * come. The SDK sends every body with a Content-Length (unframed: S3UploadTest checks it). The
 * latency stands for a round trip; a client that sends its body only once the server's
 * {@code 100 Continue} is back makes a second one, so that answer is held back too
 * ({@link #beforeAnswer}).
 */
final class HttpRequestReader {
    private final S3Requests requests;
    private final LongSupplier latencyMillis;
    private final ByteArrayOutputStream head = new ByteArrayOutputStream();
    private long bodyLeft;
    /** The last four bytes of the head so far, to spot its blank line. */
    private int last4;
    /** A head asked for {@code 100-continue} and none of its body came yet: the client waits for the answer. */
    private volatile boolean waitingForContinue;

    HttpRequestReader(S3Requests requests, LongSupplier latencyMillis) {
        this.requests = requests;
        this.latencyMillis = latencyMillis;
    }

    void relay(byte[] buffer, int length, OutputStream out) throws IOException {
        int at = 0;
        while (at < length) {
            if (bodyLeft > 0) {
                waitingForContinue = false;
                int n = (int) Math.min(bodyLeft, length - at);
                out.write(buffer, at, n);
                bodyLeft -= n;
                at += n;
                continue;
            }
            byte b = buffer[at++];
            head.write(b);
            last4 = (last4 << 8) | (b & 0xff);
            if (last4 == 0x0d0a0d0a) {
                byte[] bytes = head.toByteArray();
                head.reset();
                last4 = 0;
                String text = new String(bytes, StandardCharsets.ISO_8859_1);
                bodyLeft = record(text);
                // a client that does not wait sends its body right behind the head
                waitingForContinue = bodyLeft > 0 && at == length && text.toLowerCase(Locale.ROOT).contains("\r\nexpect: 100-continue");
                pause();
                out.write(bytes);
            }
        }
        out.flush();
    }

    /** Records the request; the length of its body. */
    private long record(String text) {
        String[] lines = text.split("\r\n");
        String[] requestLine = lines[0].split(" ");
        long contentLength = 0;
        boolean copySource = false;
        for (String line : lines) {
            String lower = line.toLowerCase(Locale.ROOT);
            if (lower.startsWith("content-length:")) {
                contentLength = Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
            } else if (lower.startsWith("x-amz-copy-source:")) {
                copySource = true;
            }
        }
        requests.add(requestLine[0], requestLine.length > 1 ? requestLine[1] : "", copySource);
        return contentLength;
    }

    /** Called with each piece of the server's answers before it is relayed: a 100 Continue the client waits for is held back. */
    void beforeAnswer(byte[] buffer, int length) throws IOException {
        if (waitingForContinue && new String(buffer, 0, Math.min(length, 12), StandardCharsets.ISO_8859_1).equals("HTTP/1.1 100")) {
            waitingForContinue = false;
            requests.continued();
            pause();
        }
    }

    private void pause() throws IOException {
        long millis = latencyMillis.getAsLong();
        if (millis > 0) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
    }
}
