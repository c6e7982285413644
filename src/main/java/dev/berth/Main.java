package dev.berth;

import java.util.Optional;

import dev.berth.CommandLine.GarbageCollect;
import dev.berth.CommandLine.Invocation;
import dev.berth.CommandLine.Print;
import dev.berth.CommandLine.Serve;
import dev.berth.CommandLine.UsageError;
import dev.berth.api.HttpPipeline;
import dev.berth.config.ConfigError;
import dev.berth.config.DistributionConfigFile;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

/**
 * {@code berth serve [CONFIG]}, like {@code registry serve config.yml}; {@code berth garbage-collect}
 * like {@code registry garbage-collect}; {@code --help}, {@code --version}.
 */
@QuarkusMain
public class Main {

    public static void main(String... args) {
        Invocation invocation = CommandLine.parse(args);
        // help and version are answered before Quarkus starts: no port opened, nothing read
        if (invocation instanceof Print print) {
            System.out.print(print.text());
            System.out.flush();
            System.exit(0);
        }
        if (invocation instanceof UsageError error) {
            System.err.print(error.text());
            System.exit(2);
        }
        if (invocation instanceof GarbageCollect gc) {
            useConfig(gc.config());
            // command mode: the HTTP server is not started at all (no listener, no port), and no scheduled maintenance runs
            System.setProperty("quarkus.http.host-enabled", "false");
            System.setProperty("berth.maintenance.scheduled", "false");
            System.setProperty("quarkus.banner.enabled", "false");
            System.setProperty("quarkus.log.category.\"io.quarkus\".level", "WARN");
            Quarkus.run(GarbageCollectCommand.class, args);
            return;
        }
        Serve serve = (Serve) invocation;
        // the HTTP pipeline checks request URIs itself, answering in the OCI format (Quarkus's check answers an empty 400)
        System.setProperty(HttpPipeline.DISABLE_QUARKUS_URI_CHECK, "true");
        useConfig(serve.config());
        Quarkus.run(args);
    }

    /** Points the config source at {@code config} and checks the file, exiting 1 with one line when it is bad. */
    private static void useConfig(Optional<String> config) {
        // "" means the embedded default; the property also tells the config source this is a real start.
        // A -Dberth.config given without CONFIG is kept, so `./mvnw quarkus:dev -Dberth.config=FILE` serves FILE.
        if (config.isPresent() || System.getProperty("berth.config") == null) {
            System.setProperty("berth.config", config.orElse(""));
        }
        // read and check the file before Quarkus starts, so a mistake is one clear line, not a stack trace
        try {
            DistributionConfigFile.checkBeforeStart(System.getProperty("berth.config"), System.getenv());
        } catch (ConfigError e) {
            System.err.println("berth: configuration error: " + e.getMessage());
            System.exit(1);
        }
    }
}
