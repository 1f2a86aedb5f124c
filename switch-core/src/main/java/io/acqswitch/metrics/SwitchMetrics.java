package io.acqswitch.metrics;

import io.acqswitch.iso.Malformation;
import io.acqswitch.iso.MessageClass;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The switch's meters. Thread-safe. Counters that are hit per message are created once and cached
 * so that the hot path does no registry look-up.
 */
public final class SwitchMetrics implements AutoCloseable {
    private final PrometheusMeterRegistry registry;
    private final Map<Malformation, Counter> malformed = new EnumMap<>(Malformation.class);
    private final Map<MessageClass, Counter> requests = new EnumMap<>(MessageClass.class);
    private final AtomicInteger connectionsOpen = new AtomicInteger();
    private final Counter connectionsOpened;
    private final Counter connectionsClosed;
    private JvmGcMetrics gcMetrics;

    public SwitchMetrics() {
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        for (Malformation m : Malformation.values()) {
            malformed.put(m, Counter.builder("switch_malformed_input")
                    .description("Terminal input rejected, by reason")
                    .tag("reason", m.tag()).register(registry));
        }
        for (MessageClass c : MessageClass.values()) {
            requests.put(c, Counter.builder("switch_terminal_requests")
                    .description("Requests received from terminals, by message class")
                    .tag("class", c.tag()).register(registry));
        }
        connectionsOpened = Counter.builder("switch_terminal_connections_opened")
                .description("Terminal connections accepted").register(registry);
        connectionsClosed = Counter.builder("switch_terminal_connections_closed")
                .description("Terminal connections closed").register(registry);
        Gauge.builder("switch_terminal_connections_open", connectionsOpen, AtomicInteger::get)
                .description("Terminal connections currently open").register(registry);
    }

    /** Adds JVM, GC, thread and CPU meters; called once by the running switch, not by unit tests. */
    public SwitchMetrics bindJvm() {
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        gcMetrics = new JvmGcMetrics();
        gcMetrics.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        return this;
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** Prometheus text exposition format 0.0.4. */
    public String scrape() {
        return registry.scrape("text/plain; version=0.0.4; charset=utf-8");
    }

    public void malformed(Malformation reason) {
        malformed.get(reason).increment();
    }

    public double malformedCount(Malformation reason) {
        return malformed.get(reason).count();
    }

    public void request(MessageClass cls) {
        requests.get(cls).increment();
    }

    /** Counts a response sent to a terminal; tags are low-cardinality (class and field 39). */
    public void response(MessageClass cls, String responseCode) {
        registry.counter("switch_terminal_responses", "class", cls.tag(), "code", responseCode).increment();
    }

    public void connectionOpened() {
        connectionsOpen.incrementAndGet();
        connectionsOpened.increment();
    }

    public void connectionClosed() {
        connectionsOpen.decrementAndGet();
        connectionsClosed.increment();
    }

    public int connectionsOpen() {
        return connectionsOpen.get();
    }

    @Override
    public void close() {
        if (gcMetrics != null) {
            gcMetrics.close();
        }
        registry.close();
    }
}
