package dev.berth;

import dev.berth.api.HttpPipeline;
import dev.berth.config.ConfigError;
import dev.berth.config.DistributionConfigFile;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

/** {@code berth serve [CONFIG]}, like {@code registry serve config.yml}. */
@QuarkusMain
public class Main {

    public static void main(String... args) {
        String command = args.length == 0 ? "serve" : args[0];
        if (!command.equals("serve")) {
            System.err.println("usage: berth serve [CONFIG]   (unknown command \"" + command + "\")");
            System.exit(2);
        }
        if (args.length > 2) {
            System.err.println("usage: berth serve [CONFIG]");
            System.exit(2);
        }
        // the HTTP pipeline checks request URIs itself, answering in the OCI format (Quarkus's check answers an empty 400)
        System.setProperty(HttpPipeline.DISABLE_QUARKUS_URI_CHECK, "true");
        // "" means the embedded default; the property also tells the config source this is a real start
        System.setProperty("berth.config", args.length == 2 ? args[1] : "");
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
