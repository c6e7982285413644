package dev.berth.observability;

import java.time.Duration;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;

/**
 * What every meter gets, in one place (Quarkus applies every MeterFilter bean): Berth's timers
 * ({@code registry.*}) are histograms with Prometheus' default buckets, as Distribution's are; and the
 * scrape stays clean by Prometheus' naming rules ({@code promtool check metrics}), which two of
 * Micrometer's process meters break: one is renamed, the other (CPU time in ns, which
 * {@code process_cpu_usage} covers) dropped.
 */
@Singleton
public class PrometheusConventions {
    /** Prometheus' default buckets, 5 ms to 10 s, in nanoseconds as Micrometer's timers count. */
    private static final double[] BUCKETS = {5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000};

    @Produces
    @Singleton
    MeterFilter histograms() {
        double[] nanos = new double[BUCKETS.length];
        for (int i = 0; i < BUCKETS.length; i++) {
            nanos[i] = Duration.ofMillis((long) BUCKETS[i]).toNanos();
        }
        return new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                if (id.getType() != Meter.Type.TIMER || !id.getName().startsWith("registry.")) {
                    return config;
                }
                // one ring buffer, not three: Prometheus' buckets are cumulative, and each record then costs one increment per buffer
                return DistributionStatisticConfig.builder().serviceLevelObjectives(nanos).bufferLength(1).build().merge(config);
            }
        };
    }

    @Produces
    @Singleton
    MeterFilter promtoolClean() {
        return new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                // a gauge ending in _count reads as a histogram's series
                return id.getName().equals("system.cpu.count") ? id.withName("system.cpus") : id;
            }
        };
    }

    @Produces
    @Singleton
    MeterFilter noNanosecondUnit() {
        return MeterFilter.denyNameStartsWith("process.cpu.time");
    }
}
