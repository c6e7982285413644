package dev.berth.storage.middleware.cloudfront;

import java.util.ArrayList;
import java.util.List;

/**
 * The client's address for {@code RedirectRequest.clientAddress()}. {@code X-Forwarded-For} is
 * believed only from trusted proxies: Distribution takes its first entry from anyone, so a client
 * could claim an AWS address and get the direct S3 URL.
 */
public final class ClientAddress {
    private ClientAddress() {
    }

    /**
     * The connection's address, unless it is a trusted proxy: then {@code X-Forwarded-For} is walked
     * from the right (the entry the nearest proxy added) and the first untrusted address is the
     * client. An entry that is not an IP stops the walk at the proxy that reported it.
     *
     * @param remoteAddress  the TCP peer's address
     * @param xForwardedFor  the header's values in order (each may hold a comma-separated list)
     * @param trustedProxies the {@code trustedproxies} CIDRs; empty means X-Forwarded-For is ignored
     */
    public static String resolve(String remoteAddress, List<String> xForwardedFor, CidrSet trustedProxies) {
        if (remoteAddress == null || trustedProxies.isEmpty() || !trustedProxies.contains(remoteAddress)) {
            return remoteAddress;
        }
        List<String> hops = new ArrayList<>();
        if (xForwardedFor != null) {
            for (String value : xForwardedFor) {
                for (String hop : value.split(",")) {
                    if (!hop.isBlank()) {
                        hops.add(hop.trim());
                    }
                }
            }
        }
        String client = remoteAddress;
        for (int i = hops.size() - 1; i >= 0; i--) {
            String hop = hops.get(i);
            if (IpAddresses.parse(hop) == null) {
                return client;
            }
            client = hop;
            if (!trustedProxies.contains(hop)) {
                return hop;
            }
        }
        // every hop is a trusted proxy: the leftmost is the closest we know to the client
        return client;
    }

    /** Same, with the CIDRs as strings. */
    public static String resolve(String remoteAddress, List<String> xForwardedFor, List<String> trustedProxies) {
        return resolve(remoteAddress, xForwardedFor, CidrSet.parse(trustedProxies));
    }
}
