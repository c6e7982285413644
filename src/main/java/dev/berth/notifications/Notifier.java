package dev.berth.notifications;

import java.util.List;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.berth.config.OptionReader;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;

/** The configured notification endpoints; an event published here is queued for each of them. */
@ApplicationScoped
public class Notifier {
    private static final Logger LOG = Logger.getLogger(Notifier.class);

    private final NotificationSettings settings;
    private final List<EndpointQueue> endpoints;
    private final HttpClient client;

    @Inject
    Notifier(Config config, Vertx vertx, Instance<ObjectMapper> json, MeterRegistry meters,
            @ConfigProperty(name = "berth.notifications.queue-size") int queueSize) {
        this.settings = NotificationSettings.read(OptionReader.fromConfig(config, "notifications"));
        this.client = settings.endpoints().isEmpty() ? null : vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true));
        // the ObjectMapper (and its few hundred classes) only when an endpoint is configured: not on every start
        ObjectMapper mapper = settings.endpoints().isEmpty() ? null : json.get();
        this.endpoints = settings.endpoints().stream().map(e -> new EndpointQueue(e, queueSize, client, vertx, mapper)).toList();
        endpoints.forEach(e -> LOG.infof("notifications: sending events to endpoint %s", e.name()));
        endpoints.forEach(e -> register(meters, e));
    }

    private static void register(MeterRegistry meters, EndpointQueue queue) {
        FunctionCounter.builder("registry_notifications_dropped", queue, EndpointQueue::dropped).tag("endpoint", queue.name())
                .description("events dropped because the endpoint's queue was full").register(meters);
        FunctionCounter.builder("registry_notifications_delivered", queue, EndpointQueue::delivered).tag("endpoint", queue.name())
                .description("events the endpoint accepted").register(meters);
        FunctionCounter.builder("registry_notifications_failures", queue, EndpointQueue::failures).tag("endpoint", queue.name())
                .description("failed deliveries (each retry counts)").register(meters);
    }

    /** Whether any endpoint is configured (else no event is even built). */
    public boolean enabled() {
        return !endpoints.isEmpty();
    }

    boolean includeReferences() {
        return settings.includeReferences();
    }

    /** Queues the event for every endpoint that does not ignore it; never waits. */
    void publish(Event event) {
        endpoints.forEach(e -> e.offer(event));
    }

    /** The queue of the endpoint named {@code name} (tests read its counters). */
    EndpointQueue endpoint(String name) {
        return endpoints.stream().filter(e -> e.name().equals(name)).findFirst().orElseThrow();
    }

    @PreDestroy
    void close() {
        endpoints.forEach(EndpointQueue::close);
        if (client != null) {
            client.close();
        }
    }
}
