package dev.berth.notifications;

import dev.berth.config.OptionReader;
import dev.berth.config.OptionsValidator;

/** Checks {@code notifications} before start, with the reader the notifier uses. */
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
