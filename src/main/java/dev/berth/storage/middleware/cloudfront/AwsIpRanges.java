package dev.berth.storage.middleware.cloudfront;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Reads AWS's ip-ranges.json: {@code prefixes[].ip_prefix} and {@code ipv6_prefixes[].ipv6_prefix},
 * every service (as Distribution does), only the given regions when some are given ({@code GLOBAL}
 * only when "global" is among them).
 */
public final class AwsIpRanges {
    private static final ObjectMapper JSON = new ObjectMapper();

    private AwsIpRanges() {
    }

    /** @param regions lower-case region names; empty means all */
    public static CidrSet parse(byte[] json, Set<String> regions) throws IOException {
        JsonNode root = JSON.readTree(json);
        if (root == null || !root.isObject()) {
            throw new IOException("ip-ranges: not a JSON object");
        }
        List<String> cidrs = new ArrayList<>();
        collect(root.path("prefixes"), "ip_prefix", regions, cidrs);
        collect(root.path("ipv6_prefixes"), "ipv6_prefix", regions, cidrs);
        if (cidrs.isEmpty() && regions.isEmpty()) {
            throw new IOException("ip-ranges: no prefixes");
        }
        try {
            return CidrSet.parse(cidrs);
        } catch (IllegalArgumentException e) {
            throw new IOException("ip-ranges: " + e.getMessage());
        }
    }

    private static void collect(JsonNode entries, String field, Set<String> regions, List<String> out) {
        for (JsonNode entry : entries) {
            String region = entry.path("region").asText("").toLowerCase(Locale.ROOT);
            String prefix = entry.path(field).asText("");
            if (!prefix.isEmpty() && (regions.isEmpty() || regions.contains(region))) {
                out.add(prefix);
            }
        }
    }
}
