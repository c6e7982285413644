package dev.berth.storage.middleware.cloudfront;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.jboss.logging.Logger;

import dev.berth.config.ConfigError;
import dev.berth.config.OptionReader;

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

    public static final URI DEFAULT_IP_RANGES_URL = URI.create("https://ip-ranges.amazonaws.com/ip-ranges.json");
    static final String PREFIX = "middleware cloudfront: ";
    private static final Logger LOG = Logger.getLogger(CloudFrontOptions.class);
    private static final Set<String> KNOWN = Set.of("baseurl", "privatekey", "keypairid", "duration", "ipfilteredby",
            "awsregion", "updatefrequency", "updatefrenquency", "iprangesurl", "trustedproxies");
    private static final Duration AT_LEAST = Duration.ofSeconds(1);

    public static CloudFrontOptions parse(OptionReader options) {
        warnAboutUnknownKeys(options);
        String baseUrl = baseUrl(options);
        Path privateKey = Path.of(options.required("privatekey"));
        String keyPairId = options.required("keypairid");
        Duration duration = options.duration("duration", Duration.ofMinutes(20), AT_LEAST, null);
        IpFilter filter = IpFilter.valueOf(options.oneOf("ipfilteredby", Set.of("none", "aws", "awsregion"), "none").toUpperCase(Locale.ROOT));
        List<String> regions = options.list("awsregion").stream().map(r -> r.toLowerCase(Locale.ROOT)).toList();
        if (filter == IpFilter.AWSREGION && regions.isEmpty()) {
            throw options.fail("awsregion", "ipfilteredby is awsregion but awsregion lists no region (e.g. us-east-1,us-west-2)");
        }
        Duration updateFrequency = options.duration(updateFrequencyKey(options), Duration.ofHours(12), AT_LEAST, null);
        URI ipRangesUrl = options.httpUrl("iprangesurl").orElse(DEFAULT_IP_RANGES_URL);
        CidrSet trusted;
        try {
            trusted = CidrSet.parse(options.list("trustedproxies"));
        } catch (IllegalArgumentException e) {
            throw options.fail("trustedproxies", e.getMessage());
        }
        return new CloudFrontOptions(baseUrl, privateKey, keyPairId, duration, filter, regions, updateFrequency, ipRangesUrl, trusted);
    }

    private static void warnAboutUnknownKeys(OptionReader options) {
        for (String key : options.keys()) {
            String base = key.replaceAll("\\[\\d+\\]$", "");
            if (!KNOWN.contains(base)) {
                LOG.warnf("%sunknown option %s is ignored", PREFIX, key);
            }
        }
    }

    /** https:// when no scheme, a trailing '/', and nothing a canned policy or a redirect can't carry. */
    private static String baseUrl(OptionReader options) {
        String value = options.required("baseurl");
        String url = value.contains("://") ? value : "https://" + value;
        if (!url.endsWith("/")) {
            url = url + "/";
        }
        for (int i = 0; i < url.length(); i++) {
            char c = url.charAt(i);
            if (c <= ' ' || c >= 0x7f || c == '"' || c == '\\' || c == '?' || c == '#') {
                throw options.fail("baseurl", "may not contain spaces, quotes, '\\', '?', '#' or non-ASCII", value);
            }
        }
        try {
            if (new URI(url).getHost() == null) {
                throw options.fail("baseurl", "has no host", value);
            }
        } catch (URISyntaxException e) {
            throw options.fail("baseurl", "is not a URL (" + e.getReason() + ")", value);
        }
        return url;
    }

    private static String updateFrequencyKey(OptionReader options) {
        if (options.string("updatefrenquency").isPresent()) {
            if (options.string("updatefrequency").isPresent()) {
                LOG.warnf("%supdatefrenquency (misspelt, deprecated) is ignored because updatefrequency is set", PREFIX);
                return "updatefrequency";
            }
            // Distribution 2.8 let this key overwrite duration; here it only sets the refresh interval
            LOG.warnf("%soption updatefrenquency is deprecated, write updatefrequency", PREFIX);
            return "updatefrenquency";
        }
        return "updatefrequency";
    }
}
