package dev.berth.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.stream.Collectors;

import dev.berth.testsupport.TcpRelay;

/**
 * A distant S3 for bench/run.sh: {@code S3LatencyRelayMain S3_PORT LATENCY_MS PORT_FILE COUNTS_FILE [RATE]}
 * relays to the S3 server on loopback port S3_PORT, holding every request back by LATENCY_MS
 * (bandwidth unchanged, unless RATE caps each connection's answers at RATE bytes per second, as a
 * TCP window over a long round trip does). It writes its own port to PORT_FILE, and every 200 ms the S3 requests
 * relayed so far by operation to COUNTS_FILE (one {@code operation count} a line, {@code total} first),
 * so the script takes the difference around a push. Serves until killed. Any HTTP server will do as the target: the
 * mirror scenario puts it in front of the upstream registry, as a distant hub.
 */
public final class S3LatencyRelayMain {
    private S3LatencyRelayMain() {
    }

    public static void main(String[] args) throws Exception {
        TcpRelay relay = TcpRelay.readingHttp(Integer.parseInt(args[0]));
        relay.latency(Long.parseLong(args[1]));
        relay.answerRate(args.length > 4 ? Long.parseLong(args[4]) : 0);
        Path counts = Path.of(args[3]);
        Path next = Path.of(args[3] + ".next");
        Files.writeString(Path.of(args[2]), Integer.toString(relay.port()));
        while (true) {
            Map<String, Integer> byOperation = relay.requests().byOperation();
            String lines = byOperation.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining("\n"));
            // replaced whole, so a reader never sees half a file
            Files.writeString(next, "total " + relay.requests().total() + "\n" + lines + "\n");
            Files.move(next, counts, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Thread.sleep(200);
        }
    }
}
