package dev.berth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.berth.CommandLine.GarbageCollect;
import dev.berth.CommandLine.Print;
import dev.berth.CommandLine.Serve;
import dev.berth.CommandLine.UsageError;

class CommandLineTest {

    @Test
    void noArgumentsServesTheEmbeddedDefault() {
        assertEquals(new Serve(Optional.empty()), CommandLine.parse());
        assertEquals(new Serve(Optional.empty()), CommandLine.parse("serve"));
    }

    @Test
    void serveTakesOneConfigFile() {
        assertEquals(new Serve(Optional.of("/etc/docker/registry/config.yml")),
                CommandLine.parse("serve", "/etc/docker/registry/config.yml"));
    }

    @Test
    void garbageCollectTakesRegistryFlagsAGraceAndOneConfig() {
        assertEquals(new GarbageCollect(Optional.empty(), false, false, Duration.ofHours(1)), CommandLine.parse("garbage-collect"));
        assertEquals(new GarbageCollect(Optional.of("c.yml"), true, true, Duration.ofMinutes(30)),
                CommandLine.parse("garbage-collect", "--dry-run", "-m", "--grace", "30m", "c.yml"));
        assertEquals(new GarbageCollect(Optional.of("c.yml"), true, true, Duration.ZERO),
                CommandLine.parse("garbage-collect", "c.yml", "-d", "--delete-untagged", "--grace=0s"));
        assertUsageError("--grace", "garbage-collect", "--grace", "soon");
        assertUsageError("--grace", "garbage-collect", "--grace", "-1h");
        assertUsageError("unknown flag: --force", "garbage-collect", "--force");
        assertUsageError("at most one argument", "garbage-collect", "a.yml", "b.yml");
        for (String[] args : new String[][] { { "garbage-collect", "--help" }, { "help", "garbage-collect" } }) {
            Print help = assertInstanceOf(Print.class, CommandLine.parse(args), String.join(" ", args));
            assertEquals(CommandLine.GC_HELP, help.text());
        }
        assertTrue(CommandLine.ROOT_HELP.contains("garbage-collect"));
    }

    @Test
    void helpInEveryFormListsTheCommandsAndFlags() {
        for (String[] args : new String[][] { { "--help" }, { "-h" }, { "help" }, { "help", "help" } }) {
            Print help = assertInstanceOf(Print.class, CommandLine.parse(args), String.join(" ", args));
            assertEquals(CommandLine.ROOT_HELP, help.text());
        }
        assertTrue(CommandLine.ROOT_HELP.contains("serve"));
        assertTrue(CommandLine.ROOT_HELP.contains("--version"));
    }

    @Test
    void serveHelpWinsOverItsOtherArguments() {
        for (String[] args : new String[][] { { "serve", "--help" }, { "serve", "-h" }, { "help", "serve" },
                { "serve", "config.yml", "--help" } }) {
            Print help = assertInstanceOf(Print.class, CommandLine.parse(args), String.join(" ", args));
            assertEquals(CommandLine.SERVE_HELP, help.text());
        }
    }

    @Test
    void versionNamesTheBinaryAndTheBuildVersion() {
        for (String flag : new String[] { "--version", "-v" }) {
            Print version = assertInstanceOf(Print.class, CommandLine.parse(flag));
            // the filtered resource is in target/classes, so the build's version, not the placeholder
            assertTrue(version.text().matches("berth \\d+\\.\\d+\\.\\d+\\S* \\(.*\\)\n"), version.text());
        }
    }

    @Test
    void unknownCommandsAndFlagsAreUsageErrors() {
        assertUsageError("unknown command \"push\"", "push");
        assertUsageError("unknown flag: --port", "--port", "5000");
        assertUsageError("unknown flag: --debug", "serve", "--debug");
        assertUsageError("at most one argument", "serve", "a.yml", "b.yml");
        assertUsageError("unknown help topic", "help", "push");
    }

    private static void assertUsageError(String expected, String... args) {
        UsageError error = assertInstanceOf(UsageError.class, CommandLine.parse(args), String.join(" ", args));
        assertTrue(error.text().startsWith("berth: "), error.text());
        assertTrue(error.text().contains(expected), error.text());
        assertTrue(error.text().contains("Usage:"), error.text());
    }
}
