package io.tetradb.server.http;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * The server's metrics in a Micrometer Prometheus registry (names prefixed {@code tetra_},
 * docs/http.md lists each), plus the JVM's. Gauges read the server's state when scraped, on
 * one thread of their own ({@code tetra-metrics}) with a queue of {@link #QUEUE} scrapes: a
 * scrape asked for beyond it is refused (503), so no client can pile work up.
 */
public final class Metrics implements AutoCloseable {
    static final int QUEUE = 4;

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final ThreadPoolExecutor thread = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(QUEUE), new DefaultThreadFactory("tetra-metrics", true),
            new ThreadPoolExecutor.AbortPolicy());

    public Metrics() {
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    /** A gauge read when scraped; {@code name} is dotted ({@code tetra.sessions}), {@code unit} null or a base unit. */
    public <T> Metrics gauge(String name, String unit, String description, T source, ToDoubleFunction<T> value) {
        Gauge.Builder<T> b = Gauge.builder(name, source, value).description(description).strongReference(true);
        if (unit != null) {
            b.baseUnit(unit);
        }
        b.register(registry);
        return this;
    }

    /** The registry, for the meters that events move ({@link ServerMeters}). */
    io.micrometer.core.instrument.MeterRegistry registry() {
        return registry;
    }

    /** The Prometheus text of every meter, gathered on the metrics thread. */
    public CompletableFuture<String> scrape() {
        return CompletableFuture.supplyAsync(registry::scrape, thread);
    }

    @Override
    public void close() {
        thread.shutdownNow();
        registry.close();
    }
}
