package dev.berth.config;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/** Checks the values Berth implements, so a bad one stops startup with one line naming the key. */
final class DistributionConfigValidator {
    private static final Set<String> BOOLEANS = Set.of("1", "true", "0", "false");
    private static final Set<String> LOG_LEVELS = Set.of("panic", "fatal", "error", "warn", "warning", "info", "debug", "trace");
    /** JWS algorithms a token may be signed with: none and HMAC would let anyone holding the public key mint tokens. */
    private static final Set<String> TOKEN_ALGORITHMS = Set.of("RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256", "PS384",
            "PS512", "EdDSA");
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
        oneOf("storage.cache.blobdescriptor", Set.of("inmemory", "redis"));
        ttl("storage.cache.tagttl");
        ttl("storage.cache.descriptorttl");
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
        validateAuth();
        validateTls();
    }

    private void validateAuth() {
        java.util.List<String> schemes = java.util.stream.Stream.of("htpasswd", "token", "silly")
                .filter(s -> flat.keySet().stream().anyMatch(k -> k.equals("auth." + s) || k.startsWith("auth." + s + ".")))
                .toList();
        if (schemes.size() > 1) {
            fail("auth", "only one of htpasswd, token, silly may be configured", String.join(", ", schemes));
        }
        flat.keySet().stream().filter(k -> k.startsWith("auth.")).map(k -> k.split("\\.")[1].replaceAll("\\[.*", ""))
                .filter(s -> !Set.of("htpasswd", "token", "silly").contains(s)).findFirst()
                .ifPresent(s -> fail("auth." + s, "unknown auth scheme (htpasswd, token, silly)", ""));
        if (schemes.isEmpty()) {
            return;
        }
        String scheme = schemes.get(0);
        java.util.List<String> required = switch (scheme) {
            case "htpasswd" -> java.util.List.of("realm", "path");
            case "token" -> java.util.List.of("realm", "service", "issuer");
            default -> java.util.List.of("realm", "service");
        };
        for (String key : required) {
            String value = flat.get("auth." + scheme + "." + key);
            if (value == null || value.isBlank()) {
                throw new ConfigError("auth." + scheme + "." + key + ": required (" + file.origin() + ")");
            }
        }
        if (scheme.equals("token") && blank("auth.token.rootcertbundle") && blank("auth.token.jwks")) {
            throw new ConfigError("auth.token.rootcertbundle: rootcertbundle or jwks is required (" + file.origin() + ")");
        }
        bool("auth.token.autoredirect");
        for (String alg : TlsSettings.list(flat, "auth.token.signingalgorithms")) {
            if (!TOKEN_ALGORITHMS.contains(alg)) {
                fail("auth.token.signingalgorithms", "public-key algorithms only (" + String.join(", ", new java.util.TreeSet<>(TOKEN_ALGORITHMS)) + ")", alg);
            }
        }
        readableFile("auth.htpasswd.path");
        readableFile("auth.token.rootcertbundle");
        readableFile("auth.token.jwks");
    }

    /** A file the registry reads at startup: missing, it stops startup here with one line, not a stack trace. */
    private void readableFile(String key) {
        if (blank(key)) {
            return;
        }
        java.nio.file.Path path = java.nio.file.Path.of(flat.get(key).trim());
        if (!java.nio.file.Files.isRegularFile(path) || !java.nio.file.Files.isReadable(path)) {
            fail(key, "no readable file", path.toString());
        }
    }

    private void validateTls() {
        if (flat.keySet().stream().anyMatch(k -> k.startsWith("http.tls.letsencrypt"))) {
            // ignoring it would serve plain HTTP where TLS was asked for
            throw new ConfigError("http.tls.letsencrypt: not supported by Berth; give http.tls.certificate and key "
                    + "(e.g. from certbot) instead (" + file.origin() + ")");
        }
        if (blank("http.tls.certificate") && blank("http.tls.key")) {
            return;
        }
        if (blank("http.tls.certificate") || blank("http.tls.key")) {
            throw new ConfigError("http.tls: certificate and key are both required (" + file.origin() + ")");
        }
        oneOf("http.tls.minimumtls", Set.of("tls1.0", "tls1.1", "tls1.2", "tls1.3"));
        String clientAuth = flat.get("http.tls.clientauth");
        if (clientAuth != null && !clientAuth.isBlank()) {
            // client certificates are always verified against clientcas: the modes that skip verification are refused
            oneOf("http.tls.clientauth", Set.of("require-and-verify-client-cert", "verify-client-cert-if-given"));
        }
    }

    private boolean blank(String key) {
        String value = flat.get(key);
        return value == null || value.isBlank();
    }

    /** The s3 keys are parsed where the driver reads them, so both agree on every value. */
    private void checkS3() {
        dev.berth.storage.s3.S3Settings.parse(dev.berth.storage.s3.S3Settings.keysOf(flat), file.origin());
    }

    /** A cache lifetime: a Go duration from 0s (no caching) to 1h. */
    private void ttl(String key) {
        String value = flat.get(key);
        if (value == null) {
            return;
        }
        try {
            Duration ttl = GoDuration.parse(value.trim());
            if (ttl.isNegative() || ttl.compareTo(Duration.ofHours(1)) > 0) {
                fail(key, "must be between 0s and 1h", value);
            }
        } catch (IllegalArgumentException e) {
            fail(key, "must be a duration such as 1s or 500ms", value);
        }
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
