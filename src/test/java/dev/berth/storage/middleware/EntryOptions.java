package dev.berth.storage.middleware;

import java.util.Map;

import dev.berth.config.OptionReader;

/** A middleware entry's options as the producer hands them over: the first entry of test.yml. */
public final class EntryOptions {
    public static final String KEY = "middleware.storage[0].options.";

    private EntryOptions() {
    }

    public static OptionReader of(Map<String, String> options) {
        return new OptionReader(options, KEY, "test.yml");
    }
}
