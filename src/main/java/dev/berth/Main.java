package dev.berth;

import dev.berth.CommandLine.Invocation;
import dev.berth.CommandLine.Print;
import dev.berth.CommandLine.Serve;
import dev.berth.CommandLine.UsageError;
import dev.berth.api.HttpPipeline;
import dev.berth.config.ConfigError;
import dev.berth.config.DistributionConfigFile;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

/** {@code berth serve [CONFIG]}, like {@code registry serve config.yml}; {@code --help}, {@code --version}. */
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
        Serve serve = (Serve) invocation;
        // the HTTP pipeline checks request URIs itself, answering in the OCI format (Quarkus's check answers an empty 400)
        System.setProperty(HttpPipeline.DISABLE_QUARKUS_URI_CHECK, "true");
        // "" means the embedded default; the property also tells the config source this is a real start.
        // A -Dberth.config given without CONFIG is kept, so `./mvnw quarkus:dev -Dberth.config=FILE` serves FILE.
        if (serve.config().isPresent() || System.getProperty("berth.config") == null) {
            System.setProperty("berth.config", serve.config().orElse(""));
        }
        // read and check the file before Quarkus starts, so a mistake is one clear line, not a stack trace
        try {
            DistributionConfigFile.checkBeforeStart(System.getProperty("berth.config"), System.getenv());
        } catch (ConfigError e) {
            System.err.println("berth: configuration error: " + e.getMessage());
            System.exit(1);
        }
        Quarkus.run(args);
    }
}
