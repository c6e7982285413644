package dev.berth.observability;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;

/**
 * Keeps the scrape clean by Prometheus' naming rules ({@code promtool check metrics}): two of
 * Micrometer's process meters break them, one is renamed, the other (CPU time in ns, which
 * {@code process_cpu_usage} covers) dropped. Quarkus applies every MeterFilter bean.
 */
@Singleton
public class MetricNames {

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
