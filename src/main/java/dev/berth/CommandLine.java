package dev.berth;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * Berth's arguments, as Distribution's {@code registry} binary takes them: {@code serve [CONFIG]},
 * {@code help [COMMAND]}, {@code -h}/{@code --help} anywhere, {@code -v}/{@code --version}. Parsing
 * only decides what to do; {@link Main} does it, so this is tested without exiting the JVM.
 */
public final class CommandLine {

    /** What the arguments ask for. */
    public sealed interface Invocation permits Serve, Print, UsageError {
    }

    /** Start the registry with {@code config} (a path), or with the embedded default when empty. */
    public record Serve(Optional<String> config) implements Invocation {
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
              help        Help about any command
              serve       serve stores and distributes container images (the default)

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
