package dev.berth.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import dev.berth.config.HealthSettings.Check;
import io.smallrye.mutiny.Uni;

/** Distribution's threshold rule: unhealthy after {@code threshold} consecutive failures, healthy again at the first success. */
class PeriodicCheckTest {
    private final AtomicReference<String> failure = new AtomicReference<>();

    private PeriodicCheck check(int threshold) {
        return new PeriodicCheck("c", new Check(Duration.ofSeconds(1), threshold),
                () -> failure.get() == null ? Uni.createFrom().voidItem() : Uni.createFrom().failure(new IllegalStateException(failure.get())));
    }

    @Test
    void unhealthyOnlyAfterThresholdConsecutiveFailures() {
        PeriodicCheck c = check(3);
        failure.set("down");
        c.run();
        c.run();
        assertNull(c.error(), "two failures of three");
        failure.set(null);
        c.run();
        failure.set("down");
        c.run();
        c.run();
        assertNull(c.error(), "a success in between starts the count again");
        c.run();
        assertEquals("down", c.error());
        failure.set("still down");
        c.run();
        assertEquals("still down", c.error(), "the latest error is reported");
        failure.set(null);
        c.run();
        assertNull(c.error(), "healthy at the first success");
    }

    @Test
    void noThresholdMeansTheFirstFailure() {
        PeriodicCheck c = check(0);
        failure.set("down");
        c.run();
        assertEquals("down", c.error());
    }
}
