package dev.berth.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.ConnectException;
import java.util.concurrent.TimeoutException;

import javax.net.ssl.SSLHandshakeException;

import org.junit.jupiter.api.Test;

class RedisLinkTest {
    @Test
    void anOutageNamesTheRootCauseBehindTheClientsWrapper() {
        IOException wrapped = new IOException("Failed to create SSL connection",
                new SSLHandshakeException("No subject alternative DNS name matching 127.0.0.1 found."));
        assertEquals("Failed to create SSL connection: No subject alternative DNS name matching 127.0.0.1 found.",
                RedisLink.describe(wrapped));
        assertEquals("Connection refused", RedisLink.describe(new ConnectException("Connection refused")));
        assertEquals("TimeoutException", RedisLink.describe(new TimeoutException()));
        assertEquals("connection closed", RedisLink.describe(null));
    }
}
