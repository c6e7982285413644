package dev.berth.config;

import io.quarkus.runtime.configuration.ConfigurationException;

/**
 * A configuration problem, said in one line that names the key. A Quarkus ConfigurationException,
 * so a failure during startup is reported as its message, not as a stack trace.
 */
public class ConfigError extends ConfigurationException {
    public ConfigError(String message) {
        super(message);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
