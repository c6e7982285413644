package dev.berth.storage.middleware.cloudfront;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

class ClientAddressTest {
    private static final CidrSet PROXIES = CidrSet.parse(List.of("10.0.0.0/8", "fd00::/8"));

    @Test
    void withoutTrustedProxiesForwardedForIsIgnored() {
        // a client claiming to be inside AWS
        assertEquals("198.51.100.7", ClientAddress.resolve("198.51.100.7", List.of("3.5.140.1"), CidrSet.EMPTY));
    }

    @Test
    void forwardedForFromAnUntrustedPeerIsIgnored() {
        assertEquals("198.51.100.7", ClientAddress.resolve("198.51.100.7", List.of("3.5.140.1"), PROXIES));
    }

    @Test
    void trustedProxyGivesTheRightmostUntrustedHop() {
        // the client prepended a spoofed AWS address; the proxy appended the real one
        assertEquals("198.51.100.7",
                ClientAddress.resolve("10.1.2.3", List.of("3.5.140.1, 198.51.100.7"), PROXIES));
        assertEquals("198.51.100.7",
                ClientAddress.resolve("10.1.2.3", List.of("3.5.140.1", "198.51.100.7, 10.9.9.9"), PROXIES));
        assertEquals("2001:db8::5", ClientAddress.resolve("fd00::1", List.of("2001:db8::5"), PROXIES));
    }

    @Test
    void garbageStopsAtTheProxyThatReportedIt() {
        assertEquals("10.9.9.9", ClientAddress.resolve("10.1.2.3", List.of("3.5.140.1, unknown, 10.9.9.9"), PROXIES));
        assertEquals("10.1.2.3", ClientAddress.resolve("10.1.2.3", List.of("not-an-ip"), PROXIES));
    }

    @Test
    void allHopsTrustedOrNoHeader() {
        assertEquals("10.0.0.1", ClientAddress.resolve("10.1.2.3", List.of("10.0.0.1, 10.0.0.2"), PROXIES));
        assertEquals("10.1.2.3", ClientAddress.resolve("10.1.2.3", List.of(), PROXIES));
        assertEquals("10.1.2.3", ClientAddress.resolve("10.1.2.3", null, List.of("10.0.0.0/8")));
    }
}
