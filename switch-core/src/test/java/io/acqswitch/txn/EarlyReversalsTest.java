package io.acqswitch.txn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.acqswitch.config.ConfigException;
import io.acqswitch.config.ConfigLoader;
import io.acqswitch.config.SwitchConfig;
import io.acqswitch.iso.MessageClass;
import io.acqswitch.metrics.SwitchMetrics;
import io.acqswitch.store.HeapTransactionStore;
import org.junit.jupiter.api.Test;

/** Markers of reversals that came before their original: agreement, bounds and expiry, on an explicit clock. */
class EarlyReversalsTest {
    private static final long T0 = 1_700_000_000_000L;
    private static final long CARD = 42L;

    private final HeapTransactionStore store = new HeapTransactionStore();
    private final SwitchMetrics metrics = new SwitchMetrics();
    private final EarlyReversals markers = new EarlyReversals(config(), store, metrics);

    private static SwitchConfig config() {
        try {
            return ConfigLoader.parse("transactions: {unknownReversals: {expiry: 10s, perTerminal: 2, max: 3}}\n");
        } catch (ConfigException e) {
            throw new AssertionError(e);
        }
    }

    private static String key(String terminal, String stan) {
        return DedupeKeys.ORIGINAL + "123456|M1|" + terminal + "|" + stan;
    }

    private static Lifecycle.ReversalClaim claim(long card, long amount) {
        return new Lifecycle.ReversalClaim(card, amount, "840", "000000", "");
    }

    private static TxnRecord sale(String terminal, String stan, long card, long amount) {
        TxnRecord r = new TxnRecord();
        r.messageClass = MessageClass.SALE;
        r.originalKey = key(terminal, stan);
        r.panHash = card;
        r.amount = amount;
        r.currency = "840";
        return r;
    }

    @Test
    void shouldReverseOnlyAnOriginalThatAgreesInCardAmountAndCurrency() {
        markers.remember(key("T1", "000001"), claim(CARD, 500), T0);
        assertFalse(markers.reverses(sale("T1", "000001", CARD + 1, 500)), "another card");
        assertFalse(markers.reverses(sale("T1", "000001", CARD, 1)), "another amount");
        TxnRecord otherCurrency = sale("T1", "000001", CARD, 500);
        otherCurrency.currency = "392";
        assertFalse(markers.reverses(otherCurrency), "another currency");
        assertFalse(markers.reverses(sale("T1", "000002", CARD, 500)), "another STAN");
        assertTrue(markers.reverses(sale("T1", "000001", CARD, 500)));
        assertEquals(3.0, metrics.counted("switch_reversal_markers_disagreeing"), "card, amount and currency");
    }

    @Test
    void shouldForgetAMarkerOnceItsOriginalIsRecorded() {
        markers.remember(key("T1", "000001"), claim(CARD, 500), T0);
        markers.consume(key("T1", "000001"));
        assertEquals(0, markers.live());
        assertNull(store.index("R|123456|M1|T1|000001"));
        assertFalse(markers.reverses(sale("T1", "000001", CARD, 500)));
    }

    @Test
    void shouldBoundMarkersPerTerminalAndInAll() {
        assertEquals(EarlyReversals.Outcome.REMEMBERED, markers.remember(key("T1", "000001"), claim(CARD, 1), T0));
        assertEquals(EarlyReversals.Outcome.REPEAT, markers.remember(key("T1", "000001"), claim(CARD, 1), T0));
        assertEquals(EarlyReversals.Outcome.REMEMBERED, markers.remember(key("T1", "000002"), claim(CARD, 1), T0));
        assertEquals(EarlyReversals.Outcome.REFUSED_TERMINAL_BOUND, markers.remember(key("T1", "000003"), claim(CARD, 1), T0));
        assertEquals(EarlyReversals.Outcome.REMEMBERED, markers.remember(key("T2", "000001"), claim(CARD, 1), T0));
        assertEquals(EarlyReversals.Outcome.REFUSED_BOUND, markers.remember(key("T3", "000001"), claim(CARD, 1), T0));
        assertEquals(3, markers.live());
        assertNull(store.index("R|123456|M1|T1|000003"), "a refused reversal leaves nothing in the store");
        assertEquals(1.0, metrics.counted("switch_reversals_unknown_original", "outcome", "refused_bound"));
        assertEquals(1.0, metrics.counted("switch_reversals_unknown_original", "outcome", "refused_terminal_bound"));
    }

    @Test
    void shouldExpireMarkersAndFreeTheirTerminalsRoom() {
        markers.remember(key("T1", "000001"), claim(CARD, 1), T0);
        markers.remember(key("T1", "000002"), claim(CARD, 1), T0 + 5_000);
        markers.tick(T0 + 9_999);
        assertEquals(2, markers.live(), "not yet");
        markers.tick(T0 + 10_000);
        assertEquals(1, markers.live(), "the first expired");
        assertFalse(markers.reverses(sale("T1", "000001", CARD, 1)), "an expired marker reverses nothing");
        assertEquals(EarlyReversals.Outcome.REMEMBERED, markers.remember(key("T1", "000003"), claim(CARD, 1), T0 + 10_000),
                "its terminal has room again");
        assertEquals(1.0, metrics.counted("switch_reversal_markers_expired"));
    }

    @Test
    void shouldForgetTheMarkersOfAPartitionGivenUpAndLoadThemAgainWhenItComesBack() {
        markers.remember(key("T1", "000001"), claim(CARD, 700), T0);
        markers.remember(key("T2", "000001"), claim(CARD, 700), T0);
        markers.release(terminal -> terminal.equals("123456|M1|T1"));
        assertEquals(1, markers.live());
        assertFalse(markers.reverses(sale("T1", "000001", CARD, 700)), "another node owns T1 now");
        assertTrue(markers.reverses(sale("T2", "000001", CARD, 700)));
        markers.load(terminal -> true);
        assertEquals(2, markers.live(), "taken over again: loaded from the store, the live one not twice");
        assertTrue(markers.reverses(sale("T1", "000001", CARD, 700)));
    }

    @Test
    void shouldReloadMarkersFromTheStoreAfterARestart() {
        markers.remember(key("T1", "000001"), claim(CARD, 700), T0);
        markers.remember(key("T1", "000002"), claim(CARD, 1), T0);
        EarlyReversals restarted = new EarlyReversals(config(), store, new SwitchMetrics());
        restarted.load(terminal -> true);
        assertEquals(2, restarted.live());
        assertTrue(restarted.reverses(sale("T1", "000001", CARD, 700)));
        assertEquals(EarlyReversals.Outcome.REFUSED_TERMINAL_BOUND,
                restarted.remember(key("T1", "000003"), claim(CARD, 1), T0), "the bound counts reloaded markers");
        restarted.tick(T0 + 10_000);
        assertEquals(0, restarted.live());
    }
}
