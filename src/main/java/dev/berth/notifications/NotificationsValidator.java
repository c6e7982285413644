package dev.berth.notifications;

import dev.berth.config.OptionReader;
import dev.berth.config.OptionsValidator;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** Checks {@code notifications} before start, with the reader the notifier uses; built by ServiceLoader, hence registered for reflection. */
@RegisterForReflection(fields = false, methods = false)
public class NotificationsValidator implements OptionsValidator {
    @Override
    public Kind kind() {
        return Kind.SECTION;
    }

    @Override
    public String name() {
        return "notifications";
    }

    @Override
    public void validate(OptionReader options) {
        NotificationSettings.read(options);
    }
}
