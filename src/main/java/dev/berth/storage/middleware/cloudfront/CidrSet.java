package dev.berth.storage.middleware.cloudfront;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * An immutable set of IPv4 and IPv6 CIDR ranges with O(log n) lookup: ranges are sorted and merged
 * once, then found by binary search. Addresses are unsigned 128-bit numbers (two longs); IPv4 lives
 * in a separate set so the families never match each other.
 */
public final class CidrSet {
    public static final CidrSet EMPTY = new CidrSet(new Ranges(List.of()), new Ranges(List.of()), 0);

    private final Ranges v4;
    private final Ranges v6;
    private final int size;

    private CidrSet(Ranges v4, Ranges v6, int size) {
        this.v4 = v4;
        this.v6 = v6;
        this.size = size;
    }

    /**
     * Parses CIDRs ("10.0.0.0/8", "2600:1f00::/24"); a plain address means a single host.
     *
     * @throws IllegalArgumentException naming the first bad entry
     */
    public static CidrSet parse(Collection<String> cidrs) {
        List<long[]> four = new ArrayList<>();
        List<long[]> six = new ArrayList<>();
        for (String cidr : cidrs) {
            String text = cidr.trim();
            int slash = text.indexOf('/');
            byte[] address = IpAddresses.parse(slash < 0 ? text : text.substring(0, slash));
            if (address == null) {
                throw new IllegalArgumentException("not an IP address or CIDR: \"" + cidr + "\"");
            }
            int bits = address.length * 8;
            int prefix = bits;
            if (slash >= 0) {
                try {
                    prefix = Integer.parseInt(text.substring(slash + 1));
                } catch (NumberFormatException e) {
                    prefix = -1;
                }
                if (prefix < 0 || prefix > bits) {
                    throw new IllegalArgumentException("bad prefix length in CIDR \"" + cidr + "\"");
                }
            }
            (address.length == 4 ? four : six).add(range(address, prefix));
        }
        return new CidrSet(new Ranges(four), new Ranges(six), four.size() + six.size());
    }

    /** Whether the IP literal lies in one of the ranges; false for anything that is not an IP. */
    public boolean contains(String address) {
        return contains(IpAddresses.parse(address));
    }

    public boolean contains(byte[] address) {
        if (address == null) {
            return false;
        }
        long[] n = number(address);
        return (address.length == 4 ? v4 : v6).contains(n[0], n[1]);
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /** How many CIDRs were given (before merging). */
    public int size() {
        return size;
    }

    /** {startHi, startLo, endHi, endLo} of the range. */
    private static long[] range(byte[] address, int prefix) {
        long[] n = number(address);
        int hostBits = address.length * 8 - prefix;
        long[] hostMask = lowBits(hostBits);
        return new long[] {n[0] & ~hostMask[0], n[1] & ~hostMask[1], n[0] | hostMask[0], n[1] | hostMask[1]};
    }

    /** A 128-bit value with the lowest {@code count} bits set, as {hi, lo}. */
    private static long[] lowBits(int count) {
        long lo = count >= 64 ? -1L : (1L << count) - 1;
        long hi = count <= 64 ? 0L : count >= 128 ? -1L : (1L << (count - 64)) - 1;
        return new long[] {hi, lo};
    }

    private static long[] number(byte[] address) {
        long hi = 0;
        long lo = 0;
        int split = address.length - 8;
        for (int i = 0; i < address.length; i++) {
            if (i < split) {
                hi = (hi << 8) | (address[i] & 0xff);
            } else {
                lo = (lo << 8) | (address[i] & 0xff);
            }
        }
        return new long[] {hi, lo};
    }

    private static int compare(long aHi, long aLo, long bHi, long bLo) {
        int c = Long.compareUnsigned(aHi, bHi);
        return c != 0 ? c : Long.compareUnsigned(aLo, bLo);
    }

    /** Sorted, merged, non-overlapping ranges. */
    private static final class Ranges {
        private final long[] startHi;
        private final long[] startLo;
        private final long[] endHi;
        private final long[] endLo;

        Ranges(List<long[]> input) {
            List<long[]> sorted = new ArrayList<>(input);
            sorted.sort((a, b) -> compare(a[0], a[1], b[0], b[1]));
            List<long[]> merged = new ArrayList<>();
            for (long[] r : sorted) {
                long[] last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
                if (last != null && compare(r[0], r[1], last[2], last[3]) <= 0) {
                    if (compare(r[2], r[3], last[2], last[3]) > 0) {
                        last[2] = r[2];
                        last[3] = r[3];
                    }
                } else {
                    merged.add(r.clone());
                }
            }
            int n = merged.size();
            startHi = new long[n];
            startLo = new long[n];
            endHi = new long[n];
            endLo = new long[n];
            for (int i = 0; i < n; i++) {
                long[] r = merged.get(i);
                startHi[i] = r[0];
                startLo[i] = r[1];
                endHi[i] = r[2];
                endLo[i] = r[3];
            }
        }

        boolean contains(long hi, long lo) {
            // the last range starting at or before the address is the only candidate
            int low = 0;
            int high = startHi.length - 1;
            int found = -1;
            while (low <= high) {
                int mid = (low + high) >>> 1;
                if (compare(startHi[mid], startLo[mid], hi, lo) <= 0) {
                    found = mid;
                    low = mid + 1;
                } else {
                    high = mid - 1;
                }
            }
            return found >= 0 && compare(hi, lo, endHi[found], endLo[found]) <= 0;
        }
    }
}
