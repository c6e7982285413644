package dev.berth.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

import org.eclipse.microprofile.config.Config;

/**
 * Reads and checks the values of one part of the configuration: the whole file, a section such as
 * {@code storage.s3}, or a middleware entry's options. Keys are relative to the part; every problem
 * is a one-line {@link ConfigError} that starts with the full key and ends with the file it came from.
 * Blank values count as absent.
 */
public final class OptionReader {
    private static final String ORIGIN_PROPERTY = "berth.config-origin";

    private final Map<String, String> values;
    private final String prefix;
    private final String origin;

    /**
     * @param values keys relative to {@code prefix}, lower-case as in the file
     * @param prefix what makes a key the full key, e.g. {@code storage.s3.} ("" for the whole file)
     * @param origin the config file, for messages
     */
    public OptionReader(Map<String, String> values, String prefix, String origin) {
        this.values = Map.copyOf(values);
        this.prefix = prefix;
        this.origin = origin;
    }

    /** The keys below {@code section} as the config sources say now (the file, REGISTRY_* overrides, test profiles). */
    public static OptionReader fromConfig(Config config, String section) {
        String start = section + ".";
        Map<String, String> values = new HashMap<>();
        for (String name : config.getPropertyNames()) {
            if (name.startsWith(start)) {
                config.getOptionalValue(name, String.class).ifPresent(v -> values.put(name.substring(start.length()), v));
            }
        }
        return new OptionReader(values, start, config.getOptionalValue(ORIGIN_PROPERTY, String.class).orElse("default"));
    }

    /** The keys below {@code section} (e.g. {@code storage.s3}, {@code middleware.storage[0].options}). */
    public OptionReader section(String section) {
        String start = section + ".";
        Map<String, String> below = new HashMap<>();
        values.forEach((key, value) -> {
            if (key.startsWith(start)) {
                below.put(key.substring(start.length()), value);
            }
        });
        return new OptionReader(below, prefix + start, origin);
    }

    public String origin() {
        return origin;
    }

    /** Every key, as written (list items as {@code key[i]}). */
    public Set<String> keys() {
        return values.keySet();
    }

    /** Whether the key, or a list item of it, is written at all (even blank). */
    public boolean has(String key) {
        return values.containsKey(key) || values.keySet().stream().anyMatch(k -> k.startsWith(key + ".") || k.startsWith(key + "["));
    }

    /** The value, trimmed; empty when absent or blank. */
    public Optional<String> string(String key) {
        String value = values.get(key);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }

    public String string(String key, String fallback) {
        return string(key).orElse(fallback);
    }

    public String required(String key) {
        return string(key).orElseThrow(() -> fail(key, "required"));
    }

    /** Go's strconv.ParseBool as Distribution uses it: 1, true, 0 or false. */
    public boolean bool(String key, boolean fallback) {
        return string(key).map(v -> switch (v.toLowerCase(Locale.ROOT)) {
            case "true", "1" -> true;
            case "false", "0" -> false;
            default -> throw fail(key, "must be true or false", v);
        }).orElse(fallback);
    }

    /** A whole number (a size in bytes, a count) from {@code min} to {@code max}. */
    public long number(String key, long fallback, long min, long max) {
        long n = parsed(key, fallback, Long::parseLong, "must be a whole number");
        if (n < min || n > max) {
            throw fail(key, "must be between " + min + " and " + max, string(key, ""));
        }
        return n;
    }

    public int number(String key, int fallback, int min, int max) {
        return (int) number(key, fallback, (long) min, (long) max);
    }

    /** A Go duration ("90s", "1h30m") from {@code min} to {@code max} (null: no upper bound). */
    public Duration duration(String key, Duration fallback, Duration min, Duration max) {
        Duration d = parsed(key, fallback, GoDuration::parse, "must be a duration such as 20m, 90s or 1h30m");
        if (max == null && d.compareTo(min) < 0) {
            throw fail(key, "must be at least " + GoDuration.format(min), string(key, ""));
        }
        if (max != null && (d.compareTo(min) < 0 || d.compareTo(max) > 0)) {
            throw fail(key, "must be between " + GoDuration.format(min) + " and " + GoDuration.format(max), string(key, ""));
        }
        return d;
    }

    /** The value parsed, or {@code fallback} when absent; a value the parser refuses breaks {@code rule}. */
    private <T> T parsed(String key, T fallback, Function<String, T> parser, String rule) {
        Optional<String> value = string(key);
        if (value.isEmpty()) {
            return fallback;
        }
        try {
            return parser.apply(value.get());
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw fail(key, rule, value.get());
        }
    }

    /** One of {@code allowed}, compared ignoring case; returned as spelt in {@code allowed}. */
    public String oneOf(String key, Set<String> allowed, String fallback) {
        Optional<String> value = string(key);
        if (value.isEmpty()) {
            return fallback;
        }
        return allowed.stream().filter(value.get()::equalsIgnoreCase).findFirst()
                .orElseThrow(() -> fail(key, "must be one of " + String.join(", ", new TreeSet<>(allowed)), value.get()));
    }

    /** An absolute http or https URL. */
    public Optional<URI> httpUrl(String key) {
        return string(key).map(v -> {
            try {
                URI uri = new URI(v);
                String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
                if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null) {
                    return uri;
                }
            } catch (URISyntaxException e) {
                // reported below
            }
            throw fail(key, "must be an http(s) URL such as https://host/path", v);
        });
    }

    /**
     * A list, written as a YAML list ({@code key[0]}, {@code key[1]}), as one comma-separated value,
     * or both; items are split on commas too, trimmed, and blank ones dropped.
     */
    public List<String> list(String key) {
        List<String> items = new ArrayList<>();
        for (String value : written(key)) {
            for (String item : value.split(",")) {
                if (!item.isBlank()) {
                    items.add(item.trim());
                }
            }
        }
        return items;
    }

    /**
     * Every key as a name and its values as written ({@code name} or {@code name[i]}), for free-form
     * maps of lists such as {@code http.headers}. Values are not split: a header value may hold commas.
     */
    public Map<String, List<String>> valuesByName() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String key : new TreeSet<>(values.keySet())) {
            int bracket = key.indexOf('[');
            String name = bracket < 0 ? key : key.substring(0, bracket);
            out.computeIfAbsent(name, this::written);
        }
        return out;
    }

    /** The plain value, then the list items in index order. */
    private List<String> written(String key) {
        List<String> out = new ArrayList<>();
        if (values.containsKey(key)) {
            out.add(values.get(key));
        }
        Map<Integer, String> indexed = new TreeMap<>();
        values.forEach((k, v) -> {
            if (k.startsWith(key + "[") && k.endsWith("]")) {
                try {
                    indexed.put(Integer.parseInt(k.substring(key.length() + 1, k.length() - 1)), v);
                } catch (NumberFormatException ignored) {
                    // key[x.y] is not an item of key
                }
            }
        });
        out.addAll(indexed.values());
        return out;
    }

    /** {@code <full key>: <rule>, got "<value>" (<origin>)}. */
    public ConfigError fail(String key, String rule, String value) {
        return fail(key, rule + ", got \"" + (value == null ? "" : value) + "\"");
    }

    /** {@code <full key>: <problem> (<origin>)}. */
    public ConfigError fail(String key, String problem) {
        return new ConfigError(prefix + key + ": " + problem + " (" + origin + ")");
    }
}
