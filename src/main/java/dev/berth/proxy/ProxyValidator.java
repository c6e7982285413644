package dev.berth.proxy;

import dev.berth.config.OptionReader;
import dev.berth.config.OptionsValidator;

/** Checks {@code proxy} before start, with the reader the proxy uses. */
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
