package dev.berth.proxy;

import dev.berth.config.OptionReader;
import dev.berth.config.OptionsValidator;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** Checks {@code proxy} before start, with the reader the proxy uses; built by ServiceLoader, hence registered for reflection. */
@RegisterForReflection(fields = false, methods = false)
public class ProxyValidator implements OptionsValidator {
    @Override
    public Kind kind() {
        return Kind.SECTION;
    }

    @Override
    public String name() {
        return "proxy";
    }

    @Override
    public void validate(OptionReader options) {
        ProxySettings.read(options);
    }
}
