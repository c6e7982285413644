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
 * come. The SDK sends every body with a Content-Length (unframed: S3UploadTest checks it).
 */
final class HttpRequestReader {
    private final S3Requests requests;
    private final LongSupplier latencyMillis;
    private final ByteArrayOutputStream head = new ByteArrayOutputStream();
    private long bodyLeft;
    /** The last four bytes of the head so far, to spot its blank line. */
    private int last4;

    HttpRequestReader(S3Requests requests, LongSupplier latencyMillis) {
        this.requests = requests;
        this.latencyMillis = latencyMillis;
    }

    void relay(byte[] buffer, int length, OutputStream out) throws IOException {
        int at = 0;
        while (at < length) {
            if (bodyLeft > 0) {
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
                bodyLeft = record(new String(bytes, StandardCharsets.ISO_8859_1));
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
