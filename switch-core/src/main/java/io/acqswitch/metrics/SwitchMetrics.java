package io.acqswitch.metrics;

import io.acqswitch.iso.Malformation;
import io.acqswitch.iso.MessageClass;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The switch's meters. Thread-safe. Counters that are hit per message are created once and cached
 * so that the hot path does no registry look-up.
 */
public final class SwitchMetrics implements AutoCloseable {
    private final PrometheusMeterRegistry registry;
    private final Map<Malformation, Counter> malformed = new EnumMap<>(Malformation.class);
    private final Map<MessageClass, Counter> requests = new EnumMap<>(MessageClass.class);
    private final Map<MessageClass, Timer> endToEnd = new EnumMap<>(MessageClass.class);
    private final Map<String, Timer> issuerLatency = new ConcurrentHashMap<>();
    private final AtomicInteger connectionsOpen = new AtomicInteger();
    private final Counter connectionsOpened;
    private final Counter connectionsClosed;
    private final Counter connectionsRejected;
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
            endToEnd.put(c, latencyTimer("switch_request_latency",
                    "Terminal request decoded to answer written, by message class", "class", c.tag()));
        }
        connectionsOpened = Counter.builder("switch_terminal_connections_opened")
                .description("Terminal connections accepted").register(registry);
        connectionsClosed = Counter.builder("switch_terminal_connections_closed")
                .description("Terminal connections closed").register(registry);
        connectionsRejected = Counter.builder("switch_terminal_connections_rejected")
                .description("Terminal connections closed at once: over the listener's maxConnections").register(registry);
        Gauge.builder("switch_terminal_connections_open", connectionsOpen, AtomicInteger::get)
                .description("Terminal connections currently open").register(registry);
        preRegister();
    }

    /**
     * Creates at zero the event counters that dashboards and alerts use, so that their series exist
     * (and {@code rate()} is 0, not absent) before the first event. Tag sets match those used at the
     * call sites; a counter name must always carry the same tag keys.
     */
    private void preRegister() {
        for (String kind : new String[] {"replayed", "in_flight", "mismatch"}) {
            registry.counter("switch_duplicates", "kind", kind);
        }
        for (String reason : new String[] {"issuer_timeout", "approval_undeliverable", "terminal_reversal",
                "terminal_reversed_before_the_answer", "recovery"}) {
            registry.counter("switch_reversals_queued", "reason", reason);
        }
        for (String name : new String[] {"switch_undeliverable_approvals", "switch_reversals_expired",
                "switch_ring_full_rejections", "switch_store_full_rejections", "switch_no_route"}) {
            registry.counter(name);
        }
    }

    /**
     * Creates an issuer's counters and latency histogram at zero; called once per configured issuer
     * so that per-issuer series exist before the issuer's first event.
     */
    public void registerIssuer(String issuer) {
        for (String name : new String[] {"switch_timeouts", "switch_late_responses", "switch_reversals_sent",
                "switch_reversals_retried", "switch_reversals_delivered", "switch_issuer_link_up_transitions",
                "switch_issuer_link_down_transitions", "switch_issuer_sign_ons", "switch_issuer_echo_failures",
                "switch_issuer_reconnects", "switch_issuer_unmatched_responses", "switch_issuer_tls_failures"}) {
            registry.counter(name, "issuer", issuer);
        }
        for (String reason : new String[] {"no_link_up", "backpressure"}) {
            registry.counter("switch_issuer_unavailable", "issuer", issuer, "reason", reason);
        }
        issuerTimer(issuer);
    }

    /** Adds JVM, GC, thread and CPU meters; called once by {@code SwitchNode.start}, not by unit tests. */
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

    /**
     * Prometheus text exposition format 0.0.4, the switch's own families ({@code switch_…}) first:
     * the registry orders families by name, which puts a few hundred lines of JVM meters before
     * them, and {@code curl …/metrics | head} is how most people first look.
     */
    public String scrape() {
        return switchFirst(registry.scrape("text/plain; version=0.0.4; charset=utf-8"));
    }

    /**
     * Moves whole families, each its {@code # HELP}/{@code # TYPE} lines with the samples after
     * them, so that {@code switch_…} families come first; the order within each group is kept.
     */
    static String switchFirst(String scrape) {
        StringBuilder own = new StringBuilder(scrape.length());
        StringBuilder others = new StringBuilder(scrape.length());
        StringBuilder current = others;
        String family = null;
        for (String line : (Iterable<String>) scrape.lines()::iterator) {
            if (line.startsWith("# HELP ") || line.startsWith("# TYPE ")) {
                int end = line.indexOf(' ', 7);
                String name = end < 0 ? line.substring(7) : line.substring(7, end);
                if (!name.equals(family)) {
                    family = name;
                    current = name.startsWith("switch_") ? own : others;
                }
            }
            current.append(line).append('\n');
        }
        return own.append(others).toString();
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

    public void issuerLinkUp(String issuer) {
        registry.counter("switch_issuer_link_up_transitions", "issuer", issuer).increment();
    }

    public void issuerLinkDown(String issuer) {
        registry.counter("switch_issuer_link_down_transitions", "issuer", issuer).increment();
    }

    public void issuerSignOn(String issuer) {
        registry.counter("switch_issuer_sign_ons", "issuer", issuer).increment();
    }

    public void issuerEchoFailure(String issuer) {
        registry.counter("switch_issuer_echo_failures", "issuer", issuer).increment();
    }

    /** A TLS handshake with the issuer failed (its certificate not trusted or not for its host, or ours refused). */
    public void issuerTlsFailure(String issuer) {
        registry.counter("switch_issuer_tls_failures", "issuer", issuer).increment();
    }

    /** A reconnect attempt scheduled after a connection to the issuer was lost or could not be made. */
    public void issuerReconnect(String issuer) {
        registry.counter("switch_issuer_reconnects", "issuer", issuer).increment();
    }

    public void issuerMalformed(String issuer) {
        registry.counter("switch_issuer_malformed_messages", "issuer", issuer).increment();
    }

    /** A request that could not be sent: {@code reason} is {@code no_link_up} or {@code backpressure}. */
    public void issuerUnavailable(String issuer, String reason) {
        registry.counter("switch_issuer_unavailable", "issuer", issuer, "reason", reason).increment();
    }

    /** An issuer answer that matched no transaction waiting for it. */
    public void issuerUnmatched(String issuer) {
        registry.counter("switch_issuer_unmatched_responses", "issuer", issuer).increment();
    }

    /**
     * Counts a transaction-level event, e.g. {@code count("switch_duplicates", "kind", "replayed")}.
     * Names are Prometheus base names (the registry adds {@code _total}); tags must be low-cardinality.
     */
    public void count(String name, String... tags) {
        registry.counter(name, tags).increment();
    }

    public double counted(String name, String... tags) {
        var c = registry.find(name).tags(tags).counter();
        return c == null ? 0 : c.count();
    }

    /** Terminal in → terminal out, by message class. */
    public void endToEnd(MessageClass cls, long nanos) {
        endToEnd.get(cls).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Forwarded → issuer's answer received, per issuer. */
    public void issuerLatency(String issuer, long nanos) {
        issuerTimer(issuer).record(nanos, TimeUnit.NANOSECONDS);
    }

    private Timer issuerTimer(String issuer) {
        return issuerLatency.computeIfAbsent(issuer, id -> latencyTimer("switch_issuer_latency",
                "Issuer round trip: request forwarded to answer received", "issuer", id));
    }

    private Timer latencyTimer(String name, String description, String tag, String value) {
        return Timer.builder(name).description(description).tag(tag, value)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(100_000))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
    }

    public void connectionOpened() {
        connectionsOpen.incrementAndGet();
        connectionsOpened.increment();
    }

    public void connectionClosed() {
        connectionsOpen.decrementAndGet();
        connectionsClosed.increment();
    }

    /** A connection closed at once because the listener is at its limit. */
    public void connectionRejected() {
        connectionsRejected.increment();
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
