package dev.berth.api;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import io.restassured.RestAssured;

/**
 * HTTP/1.1 over a plain socket to the registry under test, for what client libraries hide: a
 * response that promises bytes and never sends them, a connection cut mid-body, a client that stops
 * reading or sends nothing. Every read is bounded by the socket timeout, so a hang fails the test.
 */
final class RawHttp implements AutoCloseable {
    /** How a body read ended. */
    enum End {
        /** all of Content-Length arrived */
        COMPLETE,
        /** the server closed or reset the connection first */
        CLOSED,
        /** nothing arrived for the socket timeout: the server neither sent nor closed */
        STALLED
    }

    record Head(int status, Map<String, String> headers) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        long contentLength() {
            String value = header("Content-Length");
            return value == null ? -1 : Long.parseLong(value.trim());
        }
    }

    record Body(byte[] bytes, End end, Duration waited) {
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private RawHttp(Duration timeout) throws IOException {
        socket = new Socket(InetAddress.getLoopbackAddress(), RestAssured.port);
        socket.setSoTimeout((int) timeout.toMillis());
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    /** A connection to the registry under test whose reads give up after {@code timeout}. */
    static RawHttp connect(Duration timeout) throws IOException {
        return new RawHttp(timeout);
    }

    /** Sends a request without a body. */
    RawHttp send(String method, String path, String... headers) throws IOException {
        StringBuilder request = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\n")
                .append("Host: 127.0.0.1:").append(RestAssured.port).append("\r\n");
        for (String header : headers) {
            request.append(header).append("\r\n");
        }
        out.write(request.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return this;
    }

    /** Sends (more of) a request body, as written. */
    RawHttp write(byte[] bytes) throws IOException {
        out.write(bytes);
        return this;
    }

    /** The status line and headers; fails when they do not arrive within the timeout. */
    Head head() throws IOException {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        while (!raw.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed before the end of the headers: " + raw.toString(StandardCharsets.ISO_8859_1));
            }
            raw.write(b);
        }
        String[] lines = raw.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
            }
        }
        return new Head(status, headers);
    }

    /** Reads up to {@code length} body bytes; how it ended says whether the server sent them all. */
    Body body(long length) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        byte[] buffer = new byte[65536];
        long start = System.nanoTime();
        End end = End.COMPLETE;
        try {
            while (bytes.size() < length) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, length - bytes.size()));
                if (n < 0) {
                    end = End.CLOSED;
                    break;
                }
                bytes.write(buffer, 0, n);
            }
        } catch (SocketTimeoutException e) {
            end = End.STALLED;
        } catch (SocketException e) {
            // connection reset
            end = End.CLOSED;
        }
        return new Body(bytes.toByteArray(), end, Duration.ofNanos(System.nanoTime() - start));
    }

    /** Waits for the server to close the connection, reading (and dropping) what it still sends. */
    Body untilClosed() throws IOException {
        return body(Long.MAX_VALUE);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
