package io.acqswitch.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.acqswitch.sim.TerminalClient;
import io.acqswitch.sim.TerminalMessages;
import io.acqswitch.support.Http;
import io.acqswitch.support.Rig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The metrics are an interface operations depend on: every name the alert rules and the dashboard
 * query exists in a real scrape, no tag can carry card or terminal identity, and names follow
 * Prometheus conventions.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS) // a hung socket fails the test instead of the build
class MetricsContractTest {
    private static final Path CONFIG = Path.of("..", "config");
    private static final Set<String> FORBIDDEN_TAGS = Set.of("pan", "card", "terminal", "terminal_id", "tid", "stan",
            "rrn", "merchant", "mid");
    private static Rig rig;
    private static Scrape scrape;

    @BeforeAll
    static void start() throws Exception {
        rig = Rig.start(2_000);
        try (TerminalClient t = rig.terminal()) {
            assertEquals("00", t.exchange(TerminalMessages.sale("4761739001010010", 100, "000001", "TERM0001",
                    "MERCHANT0000001")).getString(39));
        }
        scrape = Scrape.of(rig.node.httpPort());
    }

    @AfterAll
    static void stop() {
        if (rig != null) {
            rig.close();
        }
    }

    private static List<String> alertExprs() throws Exception {
        JsonNode rules = new ObjectMapper(new YAMLFactory()).readTree(CONFIG.resolve("prometheus/alerts.yml").toFile());
        List<String> exprs = new ArrayList<>();
        for (JsonNode group : rules.required("groups")) {
            for (JsonNode rule : group.required("rules")) {
                assertTrue(rule.hasNonNull("alert") && rule.hasNonNull("expr"), "alert and expr in " + rule);
                assertTrue(rule.path("annotations").hasNonNull("summary"), "summary for " + rule.get("alert"));
                assertTrue(rule.path("annotations").hasNonNull("description"), "description for " + rule.get("alert"));
                assertTrue(rule.path("labels").hasNonNull("severity"), "severity for " + rule.get("alert"));
                exprs.add(rule.get("expr").asText());
            }
        }
        return exprs;
    }

    private static List<String> dashboardExprs() throws Exception {
        JsonNode dash = new ObjectMapper().readTree(CONFIG.resolve("grafana/acquirer-switch.json").toFile());
        List<String> exprs = new ArrayList<>();
        for (JsonNode expr : dash.findValues("expr")) {
            exprs.add(expr.asText());
        }
        return exprs;
    }

    @Test
    void shouldExposeEveryMetricTheAlertRulesUse() throws Exception {
        List<String> exprs = alertExprs();
        List<String> names = List.of("IssuerDown", "IssuerTimeoutRateHigh", "SafOldestEntryTooOld", "ApprovalRateDrop",
                "StoreNearlyFull", "JournalDown", "JournalBehind", "JournalQuarantined");
        JsonNode rules = new ObjectMapper(new YAMLFactory()).readTree(CONFIG.resolve("prometheus/alerts.yml").toFile());
        for (String name : names) {
            assertFalse(rules.findValues("alert").stream().noneMatch(a -> a.asText().equals(name)), "alert " + name);
        }
        assertEquals(List.of(), scrape.missing(exprs), "metrics the alert rules query but the switch does not expose");
    }

    @Test
    void shouldExposeEveryMetricTheDashboardUses() throws Exception {
        List<String> exprs = dashboardExprs();
        assertTrue(exprs.size() > 20, "the dashboard has its panels");
        assertEquals(List.of(), scrape.missing(exprs), "metrics the dashboard queries but the switch does not expose");
        assertTrue(exprs.stream().anyMatch(e -> e.contains("histogram_quantile(0.999, sum by (le) "
                + "(rate(switch_request_latency_seconds_bucket")), "p99.9 from the end-to-end histogram");
        for (String q : List.of("0.5", "0.99")) {
            assertTrue(exprs.stream().anyMatch(e -> e.startsWith("histogram_quantile(" + q + ", ")
                    && e.contains("rate(switch_journal_lag_seconds_bucket") && e.endsWith("[5m])))")),
                    "journal lag p" + q + " over 5m");
        }
        assertTrue(scrape.samples().contains("jvm_memory_used_bytes"), "JVM meters are bound");
    }

    @Test
    void shouldNotTagAnyMetricWithCardOrTerminalIdentity() {
        for (Map.Entry<String, Set<String>> e : scrape.labels().entrySet()) {
            for (String label : e.getValue()) {
                assertFalse(FORBIDDEN_TAGS.contains(label), e.getKey() + " is tagged " + label);
            }
        }
    }

    @Test
    void shouldNameCountersTotalAndTimersSeconds() {
        int checked = 0;
        for (Map.Entry<String, String> e : scrape.types().entrySet()) {
            String name = e.getKey();
            if (!name.startsWith("switch_")) {
                continue; // JVM meters are named by Micrometer's binders
            }
            checked++;
            assertTrue(name.matches("[a-z][a-z0-9_]*"), name + " is snake_case");
            switch (e.getValue()) {
                case "counter" -> assertTrue(name.endsWith("_total"), name + " is a counter: _total");
                case "histogram", "summary" -> assertTrue(name.endsWith("_seconds"), name + " is a timer: _seconds");
                case "gauge" -> assertFalse(name.endsWith("_total"), name + " is a gauge: no _total");
                default -> throw new AssertionError(name + " has unexpected type " + e.getValue());
            }
        }
        assertTrue(checked > 30, "switch meters found: " + checked);
    }

    @Test
    void shouldExposeTheMetricsTheIssueAsksFor() {
        for (String name : List.of("switch_terminal_requests_total", "switch_terminal_responses_total",
                "switch_request_latency_seconds_bucket", "switch_issuer_latency_seconds_bucket",
                "switch_transactions_in_flight", "switch_duplicates_total", "switch_timeouts_total",
                "switch_late_responses_total", "switch_undeliverable_approvals_total", "switch_reversals_queued_total",
                "switch_reversals_delivered_total", "switch_reversals_retried_total", "switch_reversals_expired_total",
                "switch_saf_depth", "switch_saf_oldest_entry_age_seconds", "switch_terminal_connections_open",
                "switch_terminal_connections_opened_total", "switch_terminal_connections_closed_total",
                "switch_terminal_connections_rejected_total", "switch_malformed_input_total", "switch_issuer_links_up",
                "switch_issuer_reconnects_total", "switch_issuer_sign_ons_total", "switch_issuer_echo_failures_total",
                "switch_ring_remaining_capacity", "switch_ring_capacity", "switch_ring_full_rejections_total",
                "switch_store_records", "switch_store_capacity_records", "switch_store_free_records",
                "switch_journal_up", "switch_journal_oldest_pending_seconds", "switch_journal_lag_seconds_bucket",
                "switch_journal_quarantined_total", "switch_journal_values_normalised_total",
                "jvm_memory_used_bytes", "jvm_gc_memory_allocated_bytes_total")) {
            assertTrue(scrape.samples().contains(name), name + " in the scrape");
        }
    }

    @Test
    void shouldPutTheSwitchsOwnMetersFirstInTheScrape() throws Exception {
        // `curl …/metrics | head` is the first look: it must show the switch, not the JVM
        List<String> families = new ArrayList<>();
        for (String line : Http.get(rig.node.httpPort(), "/metrics").body().split("\n")) {
            if (line.startsWith("# TYPE ")) {
                families.add(line.split(" ")[2]);
            }
        }
        int firstOther = 0;
        while (firstOther < families.size() && families.get(firstOther).startsWith("switch_")) {
            firstOther++;
        }
        assertTrue(firstOther > 30, "switch families first, got " + families.subList(0, Math.min(5, families.size())));
        assertTrue(families.subList(firstOther, families.size()).stream().noneMatch(f -> f.startsWith("switch_")),
                "no switch family after the first JVM one: " + families);
        assertTrue(families.stream().anyMatch(f -> f.startsWith("jvm_")), "JVM meters still there");
    }

    @Test
    void shouldMoveWholeFamiliesWhenPuttingTheSwitchFirst() {
        String scrape = """
                # HELP jvm_a A
                # TYPE jvm_a gauge
                jvm_a{id="x"} 1.0
                # HELP switch_b_total B
                # TYPE switch_b_total counter
                switch_b_total 2.0
                # TYPE process_c gauge
                process_c 3.0
                # HELP switch_d D
                # TYPE switch_d gauge
                switch_d 4.0
                """;
        assertEquals("""
                # HELP switch_b_total B
                # TYPE switch_b_total counter
                switch_b_total 2.0
                # HELP switch_d D
                # TYPE switch_d gauge
                switch_d 4.0
                # HELP jvm_a A
                # TYPE jvm_a gauge
                jvm_a{id="x"} 1.0
                # TYPE process_c gauge
                process_c 3.0
                """, SwitchMetrics.switchFirst(scrape));
    }
}
