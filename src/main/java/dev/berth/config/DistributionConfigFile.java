package dev.berth.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Reads a Distribution {@code config.yml} and its {@code REGISTRY_*} environment overrides into flat
 * property names ({@code storage.filesystem.rootdirectory}, {@code middleware.storage[0].name}).
 *
 * <p>Hand-written because Distribution's override convention (REGISTRY_SECTION_KEY, with the
 * storage driver chosen by which key is present) is not SmallRye's environment mapping.
 */
public final class DistributionConfigFile {

    /** Default configuration, embedded in the application. */
    public static final String DEFAULT_RESOURCE = "config/config.yml";
    /** Keys under {@code storage} that are settings, not drivers. */
    static final Set<String> STORAGE_SETTINGS = Set.of("delete", "redirect", "maintenance", "cache", "tag");
    /** Drivers Distribution knows; Berth implements {@link #IMPLEMENTED_DRIVERS}. */
    static final Set<String> KNOWN_DRIVERS = Set.of("filesystem", "inmemory", "s3", "s3aws", "gcs", "azure", "swift", "oss");
    static final Set<String> IMPLEMENTED_DRIVERS = Set.of("filesystem", "inmemory", "s3", "s3aws");

    private final String origin;
    private final Map<String, String> properties;
    private final String storageDriver;

    private DistributionConfigFile(String origin, Map<String, String> properties, String storageDriver) {
        this.origin = origin;
        this.properties = properties;
        this.storageDriver = storageDriver;
    }

    /**
     * The last file checked. Main checks it before Quarkus starts, then Quarkus asks the config source for it
     * while building its static and its runtime config: the same text is parsed and checked once.
     */
    private static volatile Checked lastChecked;

    private record Checked(String origin, String text, Map<String, String> environment, DistributionConfigFile file) {
    }

    private record Source(String origin, String text) {
    }

    /** Loads {@code location} (a file path) or, when null, the embedded default. */
    public static DistributionConfigFile load(String location, Map<String, String> environment) {
        Source source = read(location);
        return parse(source.origin(), new StringReader(source.text()), environment);
    }

    private static Source read(String location) {
        if (location == null || location.isBlank()) {
            return new Source("classpath:" + DEFAULT_RESOURCE, readResource(DEFAULT_RESOURCE));
        }
        try {
            return new Source(location, Files.readString(Path.of(location), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new ConfigError("config file " + location + ": cannot be read (" + e.getMessage() + ")");
        }
    }

    /** Loads and validates, throwing {@link ConfigError} with one line naming the key. */
    public static DistributionConfigFile checkBeforeStart(String location, Map<String, String> environment) {
        Source source = read(location);
        Checked last = lastChecked;
        if (last != null && last.origin().equals(source.origin()) && last.text().equals(source.text())
                && last.environment().equals(environment)) {
            return last.file();
        }
        DistributionConfigFile file = parse(source.origin(), new StringReader(source.text()), environment);
        new DistributionConfigValidator(file).validate();
        lastChecked = new Checked(source.origin(), source.text(), Map.copyOf(environment), file);
        return file;
    }

    static DistributionConfigFile parse(String origin, Reader yaml, Map<String, String> environment) {
        Object root;
        try {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
        } catch (RuntimeException e) {
            throw new ConfigError("config file " + origin + ": not valid YAML: " + firstLine(e.getMessage()));
        }
        Map<String, String> flat = new TreeMap<>();
        if (root != null) {
            if (!(root instanceof Map)) {
                throw new ConfigError("config file " + origin + ": the top level must be a mapping");
            }
            flatten("", root, flat);
        }
        String driverOverride = null;
        for (Map.Entry<String, String> env : new TreeMap<>(environment).entrySet()) {
            String name = env.getKey();
            if (!name.startsWith("REGISTRY_") || name.length() == "REGISTRY_".length()) {
                continue;
            }
            String key = envToKey(name.substring("REGISTRY_".length()));
            if (key.equals("storage")) {
                driverOverride = env.getValue().trim().toLowerCase();
                continue;
            }
            flat.put(key, env.getValue());
        }
        String driver = chooseDriver(flat, driverOverride);
        if (driverOverride != null) {
            // REGISTRY_STORAGE=<driver> replaces the file's driver, as in Distribution
            String chosen = driverOverride;
            flat.keySet().removeIf(k -> isDriverKey(k) && !driverOf(k).equals(chosen));
        }
        // s3aws is another name for s3: its keys are read, and reported, as storage.s3.*
        for (String key : List.copyOf(flat.keySet())) {
            if (key.startsWith("storage.s3aws.")) {
                flat.put("storage.s3." + key.substring("storage.s3aws.".length()), flat.remove(key));
            }
        }
        return new DistributionConfigFile(origin, Collections.unmodifiableMap(flat), driver);
    }

    private static String chooseDriver(Map<String, String> flat, String override) {
        Set<String> drivers = new LinkedHashSet<>();
        for (String key : flat.keySet()) {
            if (isDriverKey(key)) {
                drivers.add(driverOf(key));
            }
        }
        if (override != null) {
            drivers.clear();
            drivers.add(override);
        }
        if (drivers.isEmpty()) {
            throw new ConfigError("storage: no storage driver configured (one of filesystem, inmemory, s3)");
        }
        if (drivers.size() > 1) {
            throw new ConfigError("storage: exactly one storage driver may be configured, found " + String.join(", ", drivers));
        }
        String driver = drivers.iterator().next();
        if (!KNOWN_DRIVERS.contains(driver)) {
            throw new ConfigError("storage." + driver + ": unknown storage driver (Berth implements filesystem, inmemory, s3)");
        }
        if (!IMPLEMENTED_DRIVERS.contains(driver)) {
            throw new ConfigError("storage." + driver + ": storage driver not supported by Berth (use filesystem, inmemory or s3)");
        }
        return driver.equals("s3aws") ? "s3" : driver;
    }

    private static boolean isDriverKey(String key) {
        return key.startsWith("storage.") && !STORAGE_SETTINGS.contains(driverOf(key));
    }

    private static String driverOf(String key) {
        String rest = key.substring("storage.".length());
        int dot = rest.indexOf('.');
        return dot < 0 ? rest : rest.substring(0, dot);
    }

    /** HTTP_ADDR to http.addr, MIDDLEWARE_STORAGE_0_NAME to middleware.storage[0].name. */
    static String envToKey(String env) {
        StringBuilder key = new StringBuilder();
        for (String part : env.toLowerCase().split("_")) {
            if (part.isEmpty()) {
                continue;
            }
            if (part.chars().allMatch(Character::isDigit) && key.length() > 0) {
                key.append('[').append(part).append(']');
            } else {
                if (key.length() > 0) {
                    key.append('.');
                }
                key.append(part);
            }
        }
        return key.toString();
    }

    @SuppressWarnings("unchecked")
    private static void flatten(String prefix, Object value, Map<String, String> out) {
        if (value instanceof Map<?, ?> map) {
            if (map.isEmpty() && !prefix.isEmpty()) {
                out.put(prefix, "");
            }
            for (Map.Entry<?, ?> e : ((Map<Object, Object>) map).entrySet()) {
                String key = String.valueOf(e.getKey()).toLowerCase();
                flatten(prefix.isEmpty() ? key : prefix + "." + key, e.getValue(), out);
            }
        } else if (value instanceof List<?> list) {
            if (list.isEmpty()) {
                out.put(prefix, "");
            }
            for (int i = 0; i < list.size(); i++) {
                flatten(prefix + "[" + i + "]", list.get(i), out);
            }
        } else {
            out.put(prefix, value == null ? "" : String.valueOf(value));
        }
    }

    private static String readResource(String name) {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        if (loader == null) {
            loader = DistributionConfigFile.class.getClassLoader();
        }
        try (InputStream in = loader.getResourceAsStream(name)) {
            if (in == null) {
                throw new ConfigError("embedded default configuration " + name + " is missing");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigError("embedded default configuration " + name + ": " + e.getMessage());
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }

    public String origin() {
        return origin;
    }

    /** Flat properties, keys lower-case as in the file. */
    public Map<String, String> properties() {
        return properties;
    }

    /** The flat properties, to read and check values with. */
    public OptionReader options() {
        return new OptionReader(properties, "", origin);
    }

    /** The one storage driver configured: filesystem, inmemory or s3. */
    public String storageDriver() {
        return storageDriver;
    }
}
