package dev.berth;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

import dev.berth.config.GoDuration;

/**
 * Berth's arguments, as Distribution's {@code registry} binary takes them: {@code serve [CONFIG]},
 * {@code help [COMMAND]}, {@code -h}/{@code --help} anywhere, {@code -v}/{@code --version}. Parsing
 * only decides what to do; {@link Main} does it, so this is tested without exiting the JVM.
 */
public final class CommandLine {

    /** What the arguments ask for. */
    public sealed interface Invocation permits Serve, GarbageCollect, Print, UsageError {
    }

    /** Start the registry with {@code config} (a path), or with the embedded default when empty. */
    public record Serve(Optional<String> config) implements Invocation {
    }

    /** Collect garbage in the storage {@code config} names, as {@code registry garbage-collect} does, without serving. */
    public record GarbageCollect(Optional<String> config, boolean dryRun, boolean deleteUntagged, Duration grace) implements Invocation {
    }

    /** Print {@code text} on standard output and exit 0 (help, version). */
    public record Print(String text) implements Invocation {
    }

    /** Print {@code text} on standard error and exit 2. */
    public record UsageError(String text) implements Invocation {
    }

    static final String ROOT_HELP = """
            berth is a container image registry: the OCI Distribution API and the Docker Registry
            HTTP API v2, configured with Distribution's config.yml.

            Usage:
              berth [flags]
              berth [command]

            Available Commands:
              garbage-collect   garbage-collect deletes layers not referenced by any manifests
              help              Help about any command
              serve             serve stores and distributes container images (the default)

            Flags:
              -h, --help      help for berth
              -v, --version   show the version and exit

            Use "berth [command] --help" for more information about a command.
            """;

    static final String SERVE_HELP = """
            serve stores and distributes container images

            Usage:
              berth serve [CONFIG] [flags]

            CONFIG is a Distribution config.yml (registry:2's is /etc/docker/registry/config.yml);
            without it, Berth serves the default embedded in the build. Environment variables
            REGISTRY_<SECTION>_<KEY> override its values (REGISTRY_HTTP_ADDR=127.0.0.1:5000).

            Flags:
              -h, --help   help for serve
            """;

    static final String GC_HELP = """
            garbage-collect deletes layers not referenced by any manifests

            Usage:
              berth garbage-collect [CONFIG] [flags]

            CONFIG is the config.yml of the registry whose storage is collected (as for serve). Unlike
            registry:2's, it is safe while registries serve that storage: nothing written or linked
            within the grace period is deleted, and what is pushed during the run is kept. No port is
            opened.

            Flags:
              -d, --dry-run            do everything except remove the blobs
              -m, --delete-untagged    delete manifests that are not currently referenced via tag
                  --grace DURATION     keep what was written or linked this recently (default 1h, e.g. 30m)
              -h, --help               help for garbage-collect
            """;

    private static final List<String> HELP_FLAGS = List.of("-h", "--help");
    private static final List<String> VERSION_FLAGS = List.of("-v", "--version");

    private CommandLine() {
    }

    public static Invocation parse(String... args) {
        if (args.length == 0) {
            return new Serve(Optional.empty());
        }
        String first = args[0];
        List<String> rest = Arrays.asList(args).subList(1, args.length);
        if (HELP_FLAGS.contains(first)) {
            return new Print(ROOT_HELP);
        }
        if (VERSION_FLAGS.contains(first)) {
            return new Print(versionLine() + "\n");
        }
        switch (first) {
            case "help":
                return help(rest);
            case "serve":
                return serve(rest);
            case "garbage-collect":
                return garbageCollect(rest);
            default:
                return first.startsWith("-")
                        ? usageError("unknown flag: " + first, ROOT_HELP)
                        : usageError("unknown command \"" + first + "\" for \"berth\"", ROOT_HELP);
        }
    }

    private static Invocation help(List<String> topics) {
        if (topics.isEmpty()) {
            return new Print(ROOT_HELP);
        }
        if (topics.size() == 1 && topics.get(0).equals("serve")) {
            return new Print(SERVE_HELP);
        }
        if (topics.size() == 1 && topics.get(0).equals("garbage-collect")) {
            return new Print(GC_HELP);
        }
        if (topics.size() == 1 && topics.get(0).equals("help")) {
            return new Print(ROOT_HELP);
        }
        return usageError("unknown help topic " + topics, ROOT_HELP);
    }

    private static Invocation serve(List<String> args) {
        if (args.stream().anyMatch(HELP_FLAGS::contains)) {
            return new Print(SERVE_HELP);
        }
        Optional<String> flag = args.stream().filter(a -> a.startsWith("-")).findFirst();
        if (flag.isPresent()) {
            return usageError("unknown flag: " + flag.get(), SERVE_HELP);
        }
        if (args.size() > 1) {
            return usageError("serve takes at most one argument, the config file; got " + args.size(), SERVE_HELP);
        }
        return new Serve(args.stream().findFirst());
    }

    private static Invocation garbageCollect(List<String> args) {
        if (args.stream().anyMatch(HELP_FLAGS::contains)) {
            return new Print(GC_HELP);
        }
        boolean dryRun = false;
        boolean deleteUntagged = false;
        Duration grace = Duration.ofHours(1);
        List<String> operands = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("-d") || arg.equals("--dry-run")) {
                dryRun = true;
            } else if (arg.equals("-m") || arg.equals("--delete-untagged")) {
                deleteUntagged = true;
            } else if (arg.equals("--grace") || arg.startsWith("--grace=")) {
                String value = arg.equals("--grace") ? (i + 1 < args.size() ? args.get(++i) : "") : arg.substring("--grace=".length());
                try {
                    grace = GoDuration.parse(value);
                } catch (IllegalArgumentException | ArithmeticException e) {
                    return usageError("invalid argument \"" + value + "\" for \"--grace\": a duration such as 1h, 30m or 90s", GC_HELP);
                }
                if (grace.isNegative()) {
                    return usageError("--grace must not be negative, got \"" + value + "\"", GC_HELP);
                }
            } else if (arg.startsWith("-")) {
                return usageError("unknown flag: " + arg, GC_HELP);
            } else {
                operands.add(arg);
            }
        }
        if (operands.size() > 1) {
            return usageError("garbage-collect takes at most one argument, the config file; got " + operands.size(), GC_HELP);
        }
        return new GarbageCollect(operands.stream().findFirst(), dryRun, deleteUntagged, grace);
    }

    private static UsageError usageError(String problem, String help) {
        return new UsageError("berth: " + problem + "\n\n" + help);
    }

    /** {@code berth 0.1.0 (...)}, as {@code registry --version} names the binary, then its version. */
    static String versionLine() {
        return "berth " + version() + " (OCI Distribution v1.1, Docker Registry HTTP API v2, registry:2 config.yml)";
    }

    /** The build's version, from a resource Maven fills in: Quarkus has not started, so its config cannot be asked. */
    static String version() {
        Properties properties = new Properties();
        try (InputStream in = CommandLine.class.getResourceAsStream("/berth-version.properties")) {
            if (in == null) {
                return "unknown";
            }
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties.getProperty("version", "unknown");
    }
}
