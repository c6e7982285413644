package dev.berth.http;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.SocketException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.CompletionException;

import org.junit.jupiter.api.Test;

/** What a failed response write says when the client hung up, and what it says when the file or the code failed. */
class ClientHangUpTest {

    @Test
    void aBrokenPipeAResetOrAClosedChannelIsTheClientHangingUp() {
        assertTrue(ClientHangUp.is(new IOException("Broken pipe")));
        assertTrue(ClientHangUp.is(new SocketException("Connection reset by peer")));
        assertTrue(ClientHangUp.is(new ClosedChannelException()));
        assertTrue(ClientHangUp.is(new CompletionException(new IOException("Broken pipe"))));
    }

    @Test
    void aFileOrProgramFailureIsNot() {
        assertFalse(ClientHangUp.is(new IOException("Underlying file size 25165824 smaller then requested count 1048576")));
        assertFalse(ClientHangUp.is(new IOException("Input/output error")));
        assertFalse(ClientHangUp.is(new IllegalStateException("Response has already been written")));
        assertFalse(ClientHangUp.is(null));
    }
}
