package dev.berth.config;

import java.net.URI;
import java.util.Map;
import java.util.Set;

/** Checks the values Berth implements, so a bad one stops startup with one line naming the key. */
final class DistributionConfigValidator {
    private static final Set<String> BOOLEANS = Set.of("1", "true", "0", "false");
    private static final Set<String> LOG_LEVELS = Set.of("panic", "fatal", "error", "warn", "warning", "info", "debug", "trace");
    private static final Set<String> LOG_FORMATTERS = Set.of("text", "json", "logstash");

    private final DistributionConfigFile file;
    private final Map<String, String> flat;

    DistributionConfigValidator(DistributionConfigFile file) {
        this.file = file;
        this.flat = file.properties();
    }

    void validate() {
        String version = flat.get("version");
        if (version != null && !version.trim().equals("0.1")) {
            fail("version", "must be 0.1", version);
        }
        oneOf("log.level", LOG_LEVELS);
        oneOf("log.formatter", LOG_FORMATTERS);
        bool("log.accesslog.disabled");
        bool("storage.delete.enabled");
        bool("storage.redirect.disable");
        bool("storage.maintenance.readonly.enabled");
        if (file.storageDriver().equals("filesystem")) {
            String root = flat.get("storage.filesystem.rootdirectory");
            if (root != null && root.isBlank()) {
                fail("storage.filesystem.rootdirectory", "must not be empty", root);
            }
            integer("storage.filesystem.maxthreads", 25, Integer.MAX_VALUE);
        }
        if (file.storageDriver().equals("s3")) {
            checkS3();
        }
        ListenAddress.parse(flat.getOrDefault("http.addr", ":5000"));
        String net = flat.get("http.net");
        if (net != null && !net.isBlank() && !net.trim().equals("tcp")) {
            fail("http.net", "only tcp is supported", net);
        }
        String prefix = flat.get("http.prefix");
        if (prefix != null && !prefix.isBlank() && !prefix.trim().matches("/?[A-Za-z0-9._~/-]*")) {
            fail("http.prefix", "must be a URL path", prefix);
        }
        String host = flat.get("http.host");
        if (host != null && !host.isBlank()) {
            try {
                URI uri = new URI(host.trim());
                if (uri.getScheme() == null || uri.getHost() == null) {
                    fail("http.host", "must be an absolute URL such as https://registry.example.com", host);
                }
            } catch (java.net.URISyntaxException e) {
                fail("http.host", "must be an absolute URL", host);
            }
        }
        bool("http.relativeurls");
    }

    /** The s3 keys are parsed where the driver reads them, so both agree on every value. */
    private void checkS3() {
        dev.berth.storage.s3.S3Settings.parse(dev.berth.storage.s3.S3Settings.keysOf(flat), file.origin());
    }

    private void bool(String key) {
        String value = flat.get(key);
        if (value != null && !BOOLEANS.contains(value.trim().toLowerCase())) {
            fail(key, "must be true or false", value);
        }
    }

    private void oneOf(String key, Set<String> allowed) {
        String value = flat.get(key);
        if (value != null && !value.isBlank() && !allowed.contains(value.trim().toLowerCase())) {
            fail(key, "must be one of " + String.join(", ", new java.util.TreeSet<>(allowed)), value);
        }
    }

    private void integer(String key, long min, long max) {
        String value = flat.get(key);
        if (value == null) {
            return;
        }
        try {
            long n = Long.parseLong(value.trim());
            if (n < min || n > max) {
                fail(key, "must be between " + min + " and " + max, value);
            }
        } catch (NumberFormatException e) {
            fail(key, "must be a whole number", value);
        }
    }

    private void fail(String key, String rule, String value) {
        throw new ConfigError(key + ": " + rule + ", got \"" + value + "\" (" + file.origin() + ")");
    }
}
