package dev.berth.health;

import java.time.Duration;

import dev.berth.config.HealthSettings;
import dev.berth.storage.PathNotFoundException;
import dev.berth.storage.StorageDriver;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;

/** What each kind of check does, as Distribution's checks do it; all asynchronous (Vert.x), never blocking. */
final class Probes {
    private final Vertx vertx;
    private final HttpClient http;
    private final NetClient tcp;

    Probes(Vertx vertx) {
        this.vertx = vertx;
        this.http = vertx.createHttpClient();
        this.tcp = vertx.createNetClient(new NetClientOptions());
    }

    /** A stat of the storage root; not found counts as healthy (an empty registry's root may not exist yet): the storage answered. */
    static Uni<Void> storage(StorageDriver driver, Duration timeout) {
        return driver.stat("/").replaceWithVoid()
                .onFailure(PathNotFoundException.class).recoverWithNull()
                .ifNoItem().after(timeout).failWith(() -> new IllegalStateException("storage did not answer within " + timeout.toMillis() + " ms"));
    }

    /** Unhealthy while the file exists. */
    Uni<Void> file(String path) {
        return uni(vertx.fileSystem().exists(path)).map(exists -> {
            if (exists) {
                throw new IllegalStateException("file exists");
            }
            return null;
        });
    }

    /** A HEAD of the URI with the configured headers must answer the configured status. */
    Uni<Void> http(HealthSettings.HttpCheck check) {
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.HEAD).setAbsoluteURI(check.uri().toString())
                .setTimeout(check.timeout().toMillis());
        check.headers().forEach((name, values) -> values.forEach(v -> options.addHeader(name, v)));
        Future<Integer> status = http.request(options).compose(request -> request.send()).map(response -> response.statusCode());
        return uni(status).onFailure().transform(e -> new IllegalStateException("error while checking: " + check.uri()))
                .map(code -> {
                    if (code != check.statusCode()) {
                        throw new IllegalStateException("downstream service returned unexpected status: " + code);
                    }
                    return null;
                });
    }

    /** A TCP connection must open within the timeout. */
    Uni<Void> tcp(HealthSettings.TcpCheck check) {
        Future<Void> connected = tcp.connect(check.port(), check.host()).compose(socket -> socket.close());
        return uni(connected).ifNoItem().after(check.timeout()).fail()
                .onFailure().transform(e -> new IllegalStateException("connection to " + check.addr() + " failed"));
    }

    void close() {
        http.close();
        tcp.close();
    }

    private static <T> Uni<T> uni(Future<T> future) {
        return Uni.createFrom().completionStage(future.toCompletionStage());
    }
}
