package dev.berth.storage.s3;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import dev.berth.config.ConfigError;
import dev.berth.config.OptionReader;

/**
 * The {@code storage.s3} section, parsed and checked once: the startup validator and the driver
 * factory both build it, so a value the validator accepts is the value the driver uses.
 */
public record S3Settings(
        String region,
        Optional<URI> regionEndpoint,
        boolean forcePathStyle,
        String bucket,
        String rootDirectory,
        Optional<String> accessKey,
        Optional<String> secretKey,
        boolean secure,
        boolean skipVerify,
        long chunkSize,
        long multipartCopyChunkSize,
        int multipartCopyMaxConcurrency,
        long multipartCopyThresholdSize,
        boolean encrypt,
        Optional<String> keyId,
        String storageClass,
        String objectAcl,
        Optional<String> userAgent,
        Duration redirectExpiry,
        boolean useDualStack,
        boolean accelerate,
        boolean useFipsEndpoint,
        int readConnections,
        Duration readWait,
        int multipartConcurrency,
        int readAhead,
        long readAheadRangeSize) {

    public static final long MIB = 1024L * 1024;
    /** S3's smallest part (except the last) and largest part. */
    public static final long MIN_PART = 5 * MIB;
    public static final long MAX_PART = 5L * 1024 * MIB;
    /** Region used for signing when only an endpoint is given, as Distribution does. */
    static final String DEFAULT_REGION = "us-east-1";

    static final Set<String> STORAGE_CLASSES = Set.of("STANDARD", "REDUCED_REDUNDANCY", "NONE", "STANDARD_IA",
            "ONEZONE_IA", "INTELLIGENT_TIERING", "OUTPOSTS", "GLACIER_IR", "EXPRESS_ONEZONE");
    /** Distribution v3's SDK log levels; accepted for compatibility, Berth logs through its own log settings. */
    static final Set<String> LOG_LEVELS = Set.of("off", "debug", "debugwithsigning", "debugwithhttpbody", "debugwithrequestretries",
            "debugwithrequesterrors", "debugwitheventstreambody");
    static final Set<String> OBJECT_ACLS = Set.of("private", "public-read", "public-read-write", "authenticated-read",
            "aws-exec-read", "bucket-owner-read", "bucket-owner-full-control");

    /** Parses {@code storage.s3}; throws {@link ConfigError} naming the first bad key. */
    public static S3Settings parse(OptionReader r) {
        Optional<URI> endpoint = endpoint(r);
        String region = r.string("region").orElse(null);
        if (region == null && endpoint.isEmpty()) {
            throw r.fail("region", "is required unless regionendpoint is set");
        }
        if (region != null && !region.matches("[a-z0-9-]+")) {
            throw r.fail("region", "must be a region name such as us-east-1", region);
        }
        String bucket = r.required("bucket");
        if (!bucket.matches("[A-Za-z0-9._-]{1,255}")) {
            throw r.fail("bucket", "must be a bucket name", bucket);
        }
        if (!r.bool("v4auth", true)) {
            throw r.fail("v4auth", "Berth signs with AWS Signature V4 only; remove the key or set it to true", r.string("v4auth", ""));
        }
        Optional<String> accessKey = r.string("accesskey");
        Optional<String> secretKey = r.string("secretkey");
        if (accessKey.isPresent() != secretKey.isPresent()) {
            String missing = accessKey.isPresent() ? "secretkey" : "accesskey";
            throw r.fail(missing, "must be set together with " + (accessKey.isPresent() ? "accesskey" : "secretkey"));
        }
        String storageClass = r.oneOf("storageclass", STORAGE_CLASSES, "STANDARD");
        String acl = r.oneOf("objectacl", OBJECT_ACLS, "private");
        for (String level : r.list("loglevel")) {
            if (!LOG_LEVELS.contains(level.toLowerCase(Locale.ROOT))) {
                throw r.fail("loglevel", "must be one of " + String.join(", ", new TreeSet<>(LOG_LEVELS)), r.string("loglevel", ""));
            }
        }
        return new S3Settings(
                region == null ? DEFAULT_REGION : region,
                endpoint,
                r.bool("forcepathstyle", false),
                bucket,
                r.string("rootdirectory", ""),
                accessKey,
                secretKey,
                r.bool("secure", true),
                r.bool("skipverify", false),
                // one part is held in memory, in Java arrays: Distribution's 32-bit limit
                r.number("chunksize", 10 * MIB, MIN_PART, Integer.MAX_VALUE),
                r.number("multipartcopychunksize", 32 * MIB, MIN_PART, MAX_PART),
                r.number("multipartcopymaxconcurrency", 100, 1, 10_000),
                r.number("multipartcopythresholdsize", 32 * MIB, 0, MAX_PART),
                r.bool("encrypt", false),
                r.string("keyid"),
                storageClass,
                acl,
                r.string("useragent"),
                // 168h: the longest a SigV4 presigned URL lives
                r.duration("redirectexpiry", Duration.ofMinutes(20), Duration.ofSeconds(1), Duration.ofDays(7)),
                r.bool("usedualstack", false),
                r.bool("accelerate", false),
                r.bool("usefipsendpoint", false),
                r.number("readconnections", 200, 1, 10_000),
                r.duration("readwait", Duration.ofSeconds(10), Duration.ofMillis(1), Duration.ofMinutes(10)),
                // parts of one upload in flight; each holds a chunk in memory
                r.number("multipartconcurrency", 4, 1, 64),
                // ranges of one streamed read in flight (1: one GetObject per read); each holds its range in memory
                r.number("readahead", 4, 1, 64),
                r.number("readaheadrangesize", 8 * MIB, MIB, 256 * MIB));
    }

    /** {@code keys} as the {@code storage.s3} section of {@code origin} (tests, tools). */
    public static S3Settings parse(Map<String, String> keys, String origin) {
        return parse(new OptionReader(keys, "storage.s3.", origin));
    }

    /** Distribution accepts a bare host; the scheme then follows {@code secure}. */
    private static Optional<URI> endpoint(OptionReader r) {
        return r.string("regionendpoint").map(v -> {
            String text = v.contains("://") ? v : (r.bool("secure", true) ? "https://" : "http://") + v;
            try {
                URI uri = new URI(text);
                if (uri.getHost() != null && (uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
                    return uri;
                }
            } catch (URISyntaxException e) {
                // reported below
            }
            throw r.fail("regionendpoint", "must be an http(s) URL or a host name", v);
        });
    }
}
