package dev.berth.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class GoDurationTest {

    @ParameterizedTest
    @CsvSource({
            "0, 0",
            "20m, 1200000000000",
            "90s, 90000000000",
            "1h30m, 5400000000000",
            "1.5h, 5400000000000",
            "12h, 43200000000000",
            "300ms, 300000000",
            "2us, 2000",
            "2\u00b5s, 2000",
            "7ns, 7",
            "1m30.5s, 90500000000",
            "-2m, -120000000000",
            "+3s, 3000000000",
            ".5s, 500000000",
            "1h1m1s1ms1us1ns, 3661001001001",
    })
    void parsesWhatGoParses(String text, long nanos) {
        assertEquals(Duration.ofNanos(nanos), GoDuration.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1200", "20", "m", "1x", "1 m", "20M", "1.2.3s", "-", ".s", "3000000h", "1h 30m", "s1"})
    void rejectsWhatGoRejects(String text) {
        assertThrows(IllegalArgumentException.class, () -> GoDuration.parse(text));
    }
}
