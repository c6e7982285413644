package dev.berth.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Checks the values Berth implements, so a bad one stops startup with one line naming the key. The
 * storage driver and each storage middleware check their own options ({@link OptionsValidator}).
 */
final class DistributionConfigValidator {
    private static final Set<String> LOG_LEVELS = Set.of("panic", "fatal", "error", "warn", "warning", "info", "debug", "trace");
    /** JWS algorithms a token may be signed with: none and HMAC would let anyone holding the public key mint tokens. */
    private static final Set<String> TOKEN_ALGORITHMS = Set.of("RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256", "PS384",
            "PS512", "EdDSA");
    private static final Set<String> LOG_FORMATTERS = Set.of("text", "json", "logstash");
    private static final List<String> AUTH_SCHEMES = List.of("htpasswd", "token", "silly");
    /**
     * Sections that change what the registry does and that Berth does not implement: accepting them would
     * serve something other than what the operator configured, so startup stops instead.
     */
    static final List<String> REFUSED = List.of("policy", "middleware.registry", "middleware.repository",
            "validation.manifests");
    /** A cache lifetime: from 0s (no caching) to 1h. */
    private static final Duration MAX_TTL = Duration.ofHours(1);

    /** Longer than any orchestrator waits before it kills the process anyway. */
    private static final Duration MAX_DRAIN = Duration.ofHours(24);

    private final DistributionConfigFile file;
    private final OptionReader config;
    /** Loaded once: each ServiceLoader pass looks through every jar on the class path. */
    private final List<OptionsValidator> validators;

    DistributionConfigValidator(DistributionConfigFile file) {
        this.file = file;
        this.config = file.options();
        this.validators = ServiceLoader.load(OptionsValidator.class, OptionsValidator.class.getClassLoader()).stream()
                .map(ServiceLoader.Provider::get)
                .toList();
    }

    void validate() {
        refuseUnimplemented();
        config.string("version").filter(v -> !v.equals("0.1")).ifPresent(v -> {
            throw config.fail("version", "must be 0.1", v);
        });
        config.oneOf("log.level", LOG_LEVELS, "info");
        config.oneOf("loglevel", LOG_LEVELS, "info");
        config.bool("log.reportcaller", false);
        config.bool("http.h2c.enabled", false);
        config.oneOf("log.formatter", LOG_FORMATTERS, "text");
        config.bool("log.accesslog.disabled", false);
        config.bool("storage.delete.enabled", false);
        config.bool("storage.redirect.disable", false);
        config.bool("storage.maintenance.readonly.enabled", false);
        MaintenanceSettings.parse(config.section("storage.maintenance"));
        config.oneOf("storage.cache.blobdescriptor", Set.of("inmemory", "redis"), "inmemory");
        config.duration("storage.cache.tagttl", Duration.ZERO, Duration.ZERO, MAX_TTL);
        config.duration("storage.cache.descriptorttl", Duration.ZERO, Duration.ZERO, MAX_TTL);
        validateStorageOptions();
        ListenAddress.parse(config.string("http.addr", ":5000"));
        config.string("http.net").filter(net -> !net.equals("tcp")).ifPresent(net -> {
            throw config.fail("http.net", "only tcp is supported", net);
        });
        config.string("http.prefix").filter(p -> !p.matches("/?[A-Za-z0-9._~/-]*")).ifPresent(p -> {
            throw config.fail("http.prefix", "must be a URL path", p);
        });
        config.string("http.host").ifPresent(this::checkHost);
        config.bool("http.relativeurls", false);
        config.duration("http.draintimeout", Duration.ZERO, Duration.ZERO, MAX_DRAIN);
        DebugSettings.read(config.section("http.debug"));
        HealthSettings.read(config.section("health"));
        boolean redis = RedisSettings.read(config.section("redis")).isPresent();
        if (!redis && config.string("storage.cache.blobdescriptor", "").equalsIgnoreCase("redis")) {
            throw config.fail("storage.cache.blobdescriptor", "redis needs the redis section (redis.addr)", "redis");
        }
        validateAuth();
        validateTls();
        for (String section : config.keys().stream().map(k -> k.split("[.\\[]")[0]).distinct().toList()) {
            validator(OptionsValidator.Kind.SECTION, section).ifPresent(v -> v.validate(config.section(section)));
        }
        config.number("catalog.maxentries", ListingLimits.DEFAULT_PAGE, 1, Integer.MAX_VALUE);
        config.number("tags.maxtags", ListingLimits.DEFAULT_PAGE, 1, Integer.MAX_VALUE);
    }

    private void refuseUnimplemented() {
        REFUSED.stream().filter(config::has).findFirst().ifPresent(section -> {
            throw config.fail(section, "not supported by Berth yet; remove the section to serve without it");
        });
        // 2.8 spells it validation.enabled: false
        String validation = config.has("validation.disabled") ? "validation.disabled" : "validation.enabled";
        if (config.bool("validation.disabled", false) || !config.bool("validation.enabled", true)) {
            throw config.fail(validation, "Berth always checks that a manifest's references exist; remove the key", config.string(validation, ""));
        }
        if (config.has("log.hooks")) {
            throw config.fail("log.hooks", "mail hooks are not supported by Berth; alert on its logs or metrics instead");
        }
        if (config.bool("compatibility.schema1.enabled", false)) {
            throw config.fail("compatibility.schema1.enabled", "schema1 manifests are not supported by Berth", "true");
        }
    }

    /** The driver's options, then each enabled middleware entry's, by the part that reads them. */
    private void validateStorageOptions() {
        String driver = file.storageDriver();
        validator(OptionsValidator.Kind.STORAGE_DRIVER, driver).ifPresent(v -> v.validate(config.section("storage." + driver)));
        for (int i = 0; config.has("middleware.storage[" + i + "]"); i++) {
            OptionReader entry = config.section("middleware.storage[" + i + "]");
            if (entry.bool("disabled", false)) {
                continue;
            }
            // an unknown name is reported when the middleware is built
            entry.string("name").flatMap(name -> validator(OptionsValidator.Kind.STORAGE_MIDDLEWARE, name))
                    .ifPresent(v -> v.validate(entry.section("options")));
        }
    }

    private Optional<OptionsValidator> validator(OptionsValidator.Kind kind, String name) {
        return validators.stream().filter(v -> v.kind() == kind && v.name().equals(name)).findFirst();
    }

    private void checkHost(String host) {
        try {
            URI uri = new URI(host);
            if (uri.getScheme() == null || uri.getHost() == null) {
                throw config.fail("http.host", "must be an absolute URL such as https://registry.example.com", host);
            }
        } catch (URISyntaxException e) {
            throw config.fail("http.host", "must be an absolute URL", host);
        }
    }

    private void validateAuth() {
        List<String> schemes = AUTH_SCHEMES.stream().filter(s -> config.has("auth." + s)).toList();
        if (schemes.size() > 1) {
            throw config.fail("auth", "only one of htpasswd, token, silly may be configured", String.join(", ", schemes));
        }
        config.keys().stream().filter(k -> k.startsWith("auth.")).map(k -> k.split("\\.")[1].replaceAll("\\[.*", ""))
                .filter(s -> !AUTH_SCHEMES.contains(s)).findFirst()
                .ifPresent(s -> {
                    throw config.fail("auth." + s, "unknown auth scheme (htpasswd, token, silly)", "");
                });
        if (schemes.isEmpty()) {
            return;
        }
        String scheme = schemes.get(0);
        List<String> required = switch (scheme) {
            case "htpasswd" -> List.of("realm", "path");
            case "token" -> List.of("realm", "service", "issuer");
            default -> List.of("realm", "service");
        };
        required.forEach(key -> config.required("auth." + scheme + "." + key));
        if (scheme.equals("token") && config.string("auth.token.rootcertbundle").isEmpty() && config.string("auth.token.jwks").isEmpty()) {
            throw config.fail("auth.token.rootcertbundle", "rootcertbundle or jwks is required");
        }
        config.bool("auth.token.autoredirect", false);
        for (String alg : config.list("auth.token.signingalgorithms")) {
            if (!TOKEN_ALGORITHMS.contains(alg)) {
                throw config.fail("auth.token.signingalgorithms", "public-key algorithms only (" + String.join(", ", new TreeSet<>(TOKEN_ALGORITHMS))
                        + ")", alg);
            }
        }
        Stream.of("auth.htpasswd.path", "auth.token.rootcertbundle", "auth.token.jwks").forEach(this::readableFile);
    }

    /** A file the registry reads at startup: missing, it stops startup here with one line, not a stack trace. */
    private void readableFile(String key) {
        config.string(key).map(Path::of).ifPresent(path -> readableFile(key, path));
    }

    private void readableFile(String key, Path path) {
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            throw config.fail(key, "no readable file", path.toString());
        }
    }

    private void validateTls() {
        if (config.has("http.tls.letsencrypt")) {
            // ignoring it would serve plain HTTP where TLS was asked for
            throw config.fail("http.tls.letsencrypt", "not supported by Berth; give http.tls.certificate and key (e.g. from certbot) instead");
        }
        boolean certificate = config.string("http.tls.certificate").isPresent();
        boolean key = config.string("http.tls.key").isPresent();
        if (!certificate && !key) {
            return;
        }
        if (!certificate || !key) {
            throw config.fail("http.tls", "certificate and key are both required");
        }
        // Quarkus would report a missing file as a long stack trace
        readableFile("http.tls.certificate");
        readableFile("http.tls.key");
        config.list("http.tls.clientcas").forEach(ca -> readableFile("http.tls.clientcas", Path.of(ca)));
        config.oneOf("http.tls.minimumtls", Set.of("tls1.0", "tls1.1", "tls1.2", "tls1.3"), "tls1.2");
        // client certificates are always verified against clientcas: the modes that skip verification are refused
        config.oneOf("http.tls.clientauth", Set.of("require-and-verify-client-cert", "verify-client-cert-if-given"),
                "require-and-verify-client-cert");
    }
}
