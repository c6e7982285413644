package dev.berth.config;

/** A configuration problem, said in one line that names the key. */
public class ConfigError extends RuntimeException {
    public ConfigError(String message) {
        super(message, null, false, false);
    }
}
