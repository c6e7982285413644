package dev.berth.storage.s3;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.berth.config.ConfigError;
import dev.berth.config.GoDuration;

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
        Duration readWait) {

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

    /**
     * Parses the keys of {@code storage.s3} (names without the prefix, lower-case). Throws
     * {@link ConfigError} naming the first bad key.
     */
    public static S3Settings parse(Map<String, String> keys, String origin) {
        Reader r = new Reader(keys, origin);
        Optional<URI> endpoint = r.endpoint();
        String region = r.string("region").orElse(null);
        if (region == null && endpoint.isEmpty()) {
            throw r.error("region", "is required unless regionendpoint is set", "");
        }
        if (region != null && !region.matches("[a-z0-9-]+")) {
            throw r.error("region", "must be a region name such as us-east-1", region);
        }
        String bucket = r.string("bucket").orElseThrow(() -> r.error("bucket", "is required", ""));
        if (!bucket.matches("[A-Za-z0-9._-]{1,255}")) {
            throw r.error("bucket", "must be a bucket name", bucket);
        }
        if (!r.bool("v4auth", true)) {
            throw r.error("v4auth", "Berth signs with AWS Signature V4 only; remove the key or set it to true", keys.get("v4auth"));
        }
        Optional<String> accessKey = r.string("accesskey");
        Optional<String> secretKey = r.string("secretkey");
        if (accessKey.isPresent() != secretKey.isPresent()) {
            String missing = accessKey.isPresent() ? "secretkey" : "accesskey";
            throw r.error(missing, "must be set together with " + (accessKey.isPresent() ? "accesskey" : "secretkey"), "");
        }
        boolean encrypt = r.bool("encrypt", false);
        String storageClass = r.string("storageclass").orElse("STANDARD").toUpperCase(Locale.ROOT);
        if (!STORAGE_CLASSES.contains(storageClass)) {
            throw r.error("storageclass", "must be one of " + String.join(", ", new java.util.TreeSet<>(STORAGE_CLASSES)),
                    keys.get("storageclass"));
        }
        String acl = r.string("objectacl").orElse("private").toLowerCase(Locale.ROOT);
        if (!OBJECT_ACLS.contains(acl)) {
            throw r.error("objectacl", "must be a canned ACL (" + String.join(", ", new java.util.TreeSet<>(OBJECT_ACLS)) + ")",
                    keys.get("objectacl"));
        }
        String logLevel = r.string("loglevel").orElse("off").toLowerCase(Locale.ROOT);
        for (String level : logLevel.split(",")) {
            if (!LOG_LEVELS.contains(level.trim())) {
                throw r.error("loglevel", "must be one of " + String.join(", ", new java.util.TreeSet<>(LOG_LEVELS)), keys.get("loglevel"));
            }
        }
        Duration expiry = r.duration("redirectexpiry", Duration.ofMinutes(20), Duration.ofSeconds(1), Duration.ofDays(7),
                "1s and 168h (the longest a SigV4 presigned URL lives)");
        return new S3Settings(
                region == null ? DEFAULT_REGION : region,
                endpoint,
                r.bool("forcepathstyle", false),
                bucket,
                r.string("rootdirectory").orElse(""),
                accessKey,
                secretKey,
                r.bool("secure", true),
                r.bool("skipverify", false),
                // one part is held in memory, in Java arrays: Distribution's 32-bit limit
                r.size("chunksize", 10 * MIB, MIN_PART, Integer.MAX_VALUE),
                r.size("multipartcopychunksize", 32 * MIB, MIN_PART, MAX_PART),
                (int) r.size("multipartcopymaxconcurrency", 100, 1, 10_000),
                r.size("multipartcopythresholdsize", 32 * MIB, 0, MAX_PART),
                encrypt,
                r.string("keyid"),
                storageClass,
                acl,
                r.string("useragent"),
                expiry,
                r.bool("usedualstack", false),
                r.bool("accelerate", false),
                r.bool("usefipsendpoint", false),
                (int) r.size("readconnections", 200, 1, 10_000),
                r.duration("readwait", Duration.ofSeconds(10), Duration.ofMillis(1), Duration.ofMinutes(10), "1ms and 10m"));
    }

    /** The keys under {@code storage.s3} (or its alias {@code storage.s3aws}) of flat properties, without the prefix. */
    public static Map<String, String> keysOf(Map<String, String> properties) {
        Map<String, String> keys = new java.util.HashMap<>();
        for (Map.Entry<String, String> e : properties.entrySet()) {
            for (String prefix : new String[] {"storage.s3.", "storage.s3aws."}) {
                if (e.getKey().startsWith(prefix)) {
                    keys.put(e.getKey().substring(prefix.length()), e.getValue());
                }
            }
        }
        return keys;
    }

    /** Reads and checks single values; every error names {@code storage.s3.<key>}. */
    private record Reader(Map<String, String> keys, String origin) {

        Optional<String> string(String key) {
            String v = keys.get(key);
            return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.trim());
        }

        boolean bool(String key, boolean fallback) {
            Optional<String> v = string(key);
            if (v.isEmpty()) {
                return fallback;
            }
            return switch (v.get().toLowerCase(Locale.ROOT)) {
                case "true", "1" -> true;
                case "false", "0" -> false;
                default -> throw error(key, "must be true or false", v.get());
            };
        }

        long size(String key, long fallback, long min, long max) {
            Optional<String> v = string(key);
            if (v.isEmpty()) {
                return fallback;
            }
            long n;
            try {
                n = Long.parseLong(v.get());
            } catch (NumberFormatException e) {
                throw error(key, "must be a whole number", v.get());
            }
            if (n < min || n > max) {
                throw error(key, "must be between " + min + " and " + max, v.get());
            }
            return n;
        }

        Duration duration(String key, Duration fallback, Duration min, Duration max, String range) {
            Optional<String> v = string(key);
            if (v.isEmpty()) {
                return fallback;
            }
            Duration d;
            try {
                d = GoDuration.parse(v.get());
            } catch (IllegalArgumentException | ArithmeticException e) {
                throw error(key, "must be a duration such as 20m or 1h", v.get());
            }
            if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
                throw error(key, "must be between " + range, v.get());
            }
            return d;
        }

        Optional<URI> endpoint() {
            Optional<String> v = string("regionendpoint");
            if (v.isEmpty()) {
                return Optional.empty();
            }
            String text = v.get();
            // Distribution accepts a bare host; the scheme then follows `secure`
            if (!text.contains("://")) {
                text = (bool("secure", true) ? "https://" : "http://") + text;
            }
            try {
                URI uri = new URI(text);
                if (uri.getHost() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
                    throw error("regionendpoint", "must be an http(s) URL or a host name", v.get());
                }
                return Optional.of(uri);
            } catch (URISyntaxException e) {
                throw error("regionendpoint", "must be an http(s) URL or a host name", v.get());
            }
        }

        ConfigError error(String key, String rule, String value) {
            return new ConfigError("storage.s3." + key + ": " + rule + ", got \"" + (value == null ? "" : value) + "\" (" + origin + ")");
        }
    }
}
