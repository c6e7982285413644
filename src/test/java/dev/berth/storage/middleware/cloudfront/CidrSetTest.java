package dev.berth.storage.middleware.cloudfront;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CidrSetTest {

    @Test
    void matchesIpv4Ranges() {
        CidrSet set = CidrSet.parse(List.of("3.5.140.0/22", "52.94.76.0/22", "10.0.0.7"));
        assertTrue(set.contains("3.5.140.0"));
        assertTrue(set.contains("3.5.143.255"));
        assertFalse(set.contains("3.5.144.0"));
        assertFalse(set.contains("3.5.139.255"));
        assertTrue(set.contains("52.94.77.1"));
        assertTrue(set.contains("10.0.0.7"));
        assertFalse(set.contains("10.0.0.8"));
        assertFalse(set.contains("not-an-ip"));
        assertFalse(set.contains((String) null));
    }

    @Test
    void matchesIpv6RangesAcrossTheSixtyFourBitBoundary() {
        CidrSet set = CidrSet.parse(List.of("2600:1f14::/35", "2a05:d07a:a000::/40", "2001:db8::1/128", "fe80::/10"));
        assertTrue(set.contains("2600:1f14:0:0:0:0:0:1"));
        assertTrue(set.contains("2600:1f14:1fff:ffff:ffff:ffff:ffff:ffff"));
        assertFalse(set.contains("2600:1f14:2000::"));
        assertTrue(set.contains("2a05:d07a:a0ff::9"));
        assertFalse(set.contains("2a05:d07a:a100::"));
        assertTrue(set.contains("[2001:db8::1]"));
        assertFalse(set.contains("2001:db8::2"));
        assertTrue(set.contains("fe80::1%eth0"));
    }

    @Test
    void familiesDoNotMixButMappedAddressesAreIpv4() {
        CidrSet v4 = CidrSet.parse(List.of("0.0.0.0/0"));
        assertTrue(v4.contains("203.0.113.9"));
        assertFalse(v4.contains("2001:db8::1"));
        assertTrue(v4.contains("::ffff:203.0.113.9"));
        CidrSet v6 = CidrSet.parse(List.of("::/0"));
        assertTrue(v6.contains("2001:db8::1"));
        assertFalse(v6.contains("203.0.113.9"));
    }

    @Test
    void hostBitsAreMaskedAndOverlapsMerged() {
        CidrSet set = CidrSet.parse(List.of("192.168.1.77/24", "192.168.0.0/16", "192.168.200.0/24", "11.0.0.0/8"));
        assertTrue(set.contains("192.168.1.1"));
        assertTrue(set.contains("192.168.255.255"));
        assertFalse(set.contains("192.169.0.0"));
        assertTrue(set.contains("11.255.0.1"));
        assertFalse(set.contains("12.0.0.0"));
        assertEquals(4, set.size());
    }

    @Test
    void agreesWithALinearScanOnRandomData() {
        Random random = new Random(42);
        List<String> cidrs = new ArrayList<>();
        List<int[]> ranges = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            int prefix = 8 + random.nextInt(25);
            int base = random.nextInt() & (prefix == 32 ? -1 : ~((1 << (32 - prefix)) - 1));
            cidrs.add(ip(base) + "/" + prefix);
            ranges.add(new int[] {base, prefix});
        }
        CidrSet set = CidrSet.parse(cidrs);
        for (int i = 0; i < 20_000; i++) {
            int address = i % 2 == 0 ? random.nextInt() : ranges.get(random.nextInt(ranges.size()))[0] + random.nextInt(64) - 32;
            boolean expected = false;
            for (int[] r : ranges) {
                long mask = (0xffffffffL << (32 - r[1])) & 0xffffffffL;
                expected |= ((address & 0xffffffffL) & mask) == ((r[0] & 0xffffffffL) & mask);
            }
            assertEquals(expected, set.contains(ip(address)), ip(address));
        }
    }

    private static String ip(int a) {
        return (a >>> 24) + "." + ((a >>> 16) & 255) + "." + ((a >>> 8) & 255) + "." + (a & 255);
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.0/33", "10.0.0/8", "::/129", "10.0.0.0/x", "example.com/8", "256.0.0.0/8", "1.2.3.4.5", ""})
    void rejectsBadCidrs(String cidr) {
        assertThrows(IllegalArgumentException.class, () -> CidrSet.parse(List.of(cidr)));
    }

    @Test
    void parsesLiteralsWithoutDns() {
        assertArrayEquals(new byte[] {127, 0, 0, 1}, IpAddresses.parse("127.0.0.1"));
        assertEquals(16, IpAddresses.parse("::1").length);
        assertNull(IpAddresses.parse("localhost"));
        assertNull(IpAddresses.parse("1.2.3"));
        assertNull(IpAddresses.parse("01234.1.1.1"));
        assertNull(IpAddresses.parse("::g"));
        assertNull(IpAddresses.parse(":::"));
    }
}
