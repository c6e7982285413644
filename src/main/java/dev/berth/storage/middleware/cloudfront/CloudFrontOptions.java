package dev.berth.storage.middleware.cloudfront;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import dev.berth.config.GoDuration;

import org.jboss.logging.Logger;

import dev.berth.config.ConfigError;

/**
 * The {@code cloudfront} middleware options, same keys and meaning as Distribution v3, plus
 * {@code trustedproxies}. Every problem is a {@link ConfigError} naming the option.
 */
public record CloudFrontOptions(
        String baseUrl,
        Path privateKey,
        String keyPairId,
        Duration duration,
        IpFilter ipFilteredBy,
        List<String> awsRegions,
        Duration updateFrequency,
        URI ipRangesUrl,
        CidrSet trustedProxies) {

    public static final String DEFAULT_IP_RANGES_URL = "https://ip-ranges.amazonaws.com/ip-ranges.json";
    static final String PREFIX = "middleware cloudfront: ";
    private static final Logger LOG = Logger.getLogger(CloudFrontOptions.class);
    private static final Set<String> KNOWN = Set.of("baseurl", "privatekey", "keypairid", "duration", "ipfilteredby",
            "awsregion", "updatefrequency", "updatefrenquency", "iprangesurl", "trustedproxies");

    public static CloudFrontOptions parse(Map<String, String> options) {
        warnAboutUnknownKeys(options);
        String baseUrl = baseUrl(required(options, "baseurl"));
        Path privateKey = Path.of(required(options, "privatekey"));
        String keyPairId = required(options, "keypairid");
        Duration duration = duration(options, "duration", "20m");
        if (duration.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new ConfigError(PREFIX + "duration must be at least 1s, got \"" + options.get("duration") + "\"");
        }
        IpFilter filter;
        try {
            filter = IpFilter.parse(options.get("ipfilteredby"));
        } catch (IllegalArgumentException e) {
            throw new ConfigError(PREFIX + "ipfilteredby \"" + options.get("ipfilteredby")
                    + "\" is not one of none, aws, awsregion");
        }
        List<String> regions = new ArrayList<>();
        for (String region : list(options, "awsregion")) {
            regions.add(region.toLowerCase(Locale.ROOT));
        }
        if (filter == IpFilter.AWSREGION && regions.isEmpty()) {
            throw new ConfigError(PREFIX + "ipfilteredby is awsregion but awsregion lists no region (e.g. us-east-1,us-west-2)");
        }
        Duration updateFrequency = duration(options, updateFrequencyKey(options), "12h");
        if (updateFrequency.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new ConfigError(PREFIX + "updatefrequency must be at least 1s");
        }
        URI ipRangesUrl = ipRangesUrl(options.getOrDefault("iprangesurl", DEFAULT_IP_RANGES_URL));
        CidrSet trusted;
        try {
            trusted = CidrSet.parse(list(options, "trustedproxies"));
        } catch (IllegalArgumentException e) {
            throw new ConfigError(PREFIX + "trustedproxies: " + e.getMessage());
        }
        return new CloudFrontOptions(baseUrl, privateKey, keyPairId, duration, filter, List.copyOf(regions),
                updateFrequency, ipRangesUrl, trusted);
    }

    private static void warnAboutUnknownKeys(Map<String, String> options) {
        for (String key : options.keySet()) {
            String base = key.replaceAll("\\[\\d+\\]$", "");
            if (!KNOWN.contains(base)) {
                LOG.warnf("%sunknown option %s is ignored", PREFIX, key);
            }
        }
    }

    private static String required(Map<String, String> options, String key) {
        String value = options.get(key);
        if (value == null || value.isBlank()) {
            throw new ConfigError(PREFIX + "option " + key + " is required");
        }
        return value.trim();
    }

    /** https:// when no scheme, a trailing '/', and nothing a canned policy or a redirect can't carry. */
    static String baseUrl(String value) {
        String url = value.contains("://") ? value : "https://" + value;
        if (!url.endsWith("/")) {
            url = url + "/";
        }
        for (int i = 0; i < url.length(); i++) {
            char c = url.charAt(i);
            if (c <= ' ' || c >= 0x7f || c == '"' || c == '\\' || c == '?' || c == '#') {
                throw new ConfigError(PREFIX + "baseurl \"" + value + "\" may not contain spaces, quotes, '\\', '?', '#' or non-ASCII");
            }
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new ConfigError(PREFIX + "baseurl \"" + value + "\" is not a URL: " + e.getReason());
        }
        if (uri.getHost() == null) {
            throw new ConfigError(PREFIX + "baseurl \"" + value + "\" has no host");
        }
        return url;
    }

    private static String updateFrequencyKey(Map<String, String> options) {
        if (options.containsKey("updatefrenquency")) {
            if (options.containsKey("updatefrequency")) {
                LOG.warnf("%supdatefrenquency (misspelt, deprecated) is ignored because updatefrequency is set", PREFIX);
                return "updatefrequency";
            }
            // Distribution 2.8 let this key overwrite duration; here it only sets the refresh interval
            LOG.warnf("%soption updatefrenquency is deprecated, write updatefrequency", PREFIX);
            return "updatefrenquency";
        }
        return "updatefrequency";
    }

    private static Duration duration(Map<String, String> options, String key, String defaultValue) {
        String value = options.get(key);
        if (value == null || value.isBlank()) {
            value = defaultValue;
        }
        try {
            return GoDuration.parse(value.trim());
        } catch (IllegalArgumentException e) {
            throw new ConfigError(PREFIX + key + " \"" + value + "\" is not a duration like 20m, 90s or 1h30m ("
                    + e.getMessage() + ")");
        }
    }

    private static URI ipRangesUrl(String value) {
        try {
            URI uri = new URI(value.trim());
            if (("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme())) && uri.getHost() != null) {
                return uri;
            }
        } catch (URISyntaxException e) {
            // reported below
        }
        throw new ConfigError(PREFIX + "iprangesurl \"" + value + "\" is not an http(s) URL");
    }

    /** A comma-separated string ("a, b") or a YAML list (flattened to key[0], key[1], ...). */
    static List<String> list(Map<String, String> options, String key) {
        List<String> values = new ArrayList<>();
        String single = options.get(key);
        if (single != null) {
            values.add(single);
        }
        Map<Integer, String> indexed = new TreeMap<>();
        for (Map.Entry<String, String> e : options.entrySet()) {
            String k = e.getKey();
            if (k.startsWith(key + "[") && k.endsWith("]")) {
                try {
                    indexed.put(Integer.parseInt(k.substring(key.length() + 1, k.length() - 1)), e.getValue());
                } catch (NumberFormatException ignored) {
                    // not an index: an unknown key, warned about above
                }
            }
        }
        values.addAll(indexed.values());
        List<String> items = new ArrayList<>();
        for (String value : values) {
            for (String item : value.split(",")) {
                if (!item.isBlank()) {
                    items.add(item.trim());
                }
            }
        }
        return items;
    }
}
