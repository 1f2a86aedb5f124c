package io.acqswitch.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.acqswitch.config.ConfigException;
import io.acqswitch.config.ConfigLoader;
import io.acqswitch.config.SwitchConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Rules: defaults, YAML/JSON binding, validation messages, masking, decisions. */
class StubRulesTest {
    @Test
    void shouldDefaultEveryRuleToApproveAtOnce() throws Exception {
        StubRules r = StubRules.parse("");
        assertEquals(StubRules.approveAll(), r);
        assertEquals(StubRules.approveAll(), StubRules.parse("{}"));
        assertNull(r.declineAtOrAbove());
        assertEquals("51", r.declineAtOrAboveCode());
        assertEquals(Map.of(), r.declineSuffixes());
        assertEquals(Map.of(), r.balances());
        assertEquals(0L, r.latencyMs());
        assertEquals(0L, r.latencyJitterMs());
        assertEquals(0.0, r.withholdRatio());
        assertEquals(0L, r.lateAnswerMs());
        assertEquals(0, r.dropConnectionAfter());
        assertFalse(r.refuseConnections());
        assertEquals(0, r.ignoreReversals());
        assertEquals("00", r.decideDebit("4111111111111111", Long.MAX_VALUE, null));
    }

    @Test
    void shouldBindYamlRules() throws Exception {
        StubRules r = StubRules.parse("""
                declineAtOrAbove: 100000
                declineAtOrAboveCode: "61"
                declineSuffixes: {"05": "05", "54": "54"}
                balances:
                  "4761739001010010": 5000
                latencyMs: 20
                latencyJitterMs: 5
                withholdRatio: 0.1
                lateAnswerMs: 15000
                dropConnectionAfter: 10
                refuseConnections: false
                ignoreReversals: 2
                """);
        assertEquals("61", r.decideDebit("4761739001010099", 100000, null));
        assertEquals("05", r.decideDebit("4761739001010005", 1, null));
        assertEquals("54", r.decideNonDebit("4761739001010054"));
        assertEquals("51", r.decideDebit("4761739001010010", 5001, r.openingBalance("4761739001010010")));
        assertEquals(0.1, r.withholdRatio());
        assertEquals(2, r.ignoreReversals());
    }

    @Test
    void shouldRejectOutOfRangeValuesNamingThem() {
        assertProblem("withholdRatio: 1.5", "withholdRatio=1.5: must be between 0 and 1");
        assertProblem("latencyMs: -1", "latencyMs=-1: must be >= 0");
        assertProblem("declineSuffixes: {\"x5\": \"05\"}", "declineSuffixes.x5=05: a suffix is one or more digits");
        assertProblem("declineSuffixes: {\"05\": \"5\"}", "declineSuffixes.05=5: must be a 2-character response code");
        assertProblem("balances: {\"4761739001010010\": -5}", "balances.476173******0010=-5: must be >= 0");
        assertProblem("latency: 5", "unknown setting");
    }

    @Test
    void shouldBuildTheSameRulesAsTheirYamlByName() throws Exception {
        StubRules built = StubRules.builder().declineAtOrAbove(5000L).declineAtOrAboveCode("61")
                .declineSuffixes(Map.of("05", "05")).balances(Map.of("4761739001010010", 900L)).latencyMs(5L)
                .latencyJitterMs(2L).withholdRatio(0.5).lateAnswerMs(7L).dropConnectionAfter(3).refuseConnections(true)
                .ignoreReversals(4).withholdAmountSuffixes(List.of("99")).build();
        assertEquals(StubRules.parse("""
                declineAtOrAbove: 5000
                declineAtOrAboveCode: "61"
                declineSuffixes: {"05": "05"}
                balances: {"4761739001010010": 900}
                latencyMs: 5
                latencyJitterMs: 2
                withholdRatio: 0.5
                lateAnswerMs: 7
                dropConnectionAfter: 3
                refuseConnections: true
                ignoreReversals: 4
                withholdAmountSuffixes: ["99"]
                """), built);
        assertEquals(StubRules.approveAll(), StubRules.builder().build());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StubRules.builder().withholdRatio(3.0).build());
        assertEquals("withholdRatio=3.0: must be between 0 and 1", e.getMessage());
    }

    @Test
    void shouldMaskBalancePansWhenShown() throws Exception {
        StubRules r = StubRules.parse("balances: {\"4761739001010010\": 5000}");
        assertFalse(r.toString().contains("4761739001010010"));
        assertTrue(r.toString().contains("476173******0010"));
        assertEquals(Map.of("476173******0010", 5000L), r.toMaskedMap().get("balances"));
    }

    @Test
    void shouldReadRulesOfEmbeddedStubsFromSwitchConfig() throws Exception {
        SwitchConfig cfg = ConfigLoader.parse("""
                stubs:
                  - name: issuer-a
                    port: 9583
                    rules: {declineAtOrAbove: 5000}
                  - name: issuer-b
                    port: 9584
                """);
        assertEquals(5000L, StubRules.of(cfg.stubs().get(0).rules()).declineAtOrAbove());
        assertEquals(StubRules.approveAll(), StubRules.of(cfg.stubs().get(1).rules()));
        SwitchConfig bad = ConfigLoader.parse("stubs:\n  - name: a\n    rules: {withholdRatio: 3}\n");
        ConfigException e = assertThrows(ConfigException.class, () -> StubRules.of(bad.stubs().get(0).rules()));
        assertTrue(e.getMessage().contains("withholdRatio=3.0: must be between 0 and 1"), e.getMessage());
    }

    private static void assertProblem(String yaml, String expected) {
        ConfigException e = assertThrows(ConfigException.class, () -> StubRules.parse(yaml));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
