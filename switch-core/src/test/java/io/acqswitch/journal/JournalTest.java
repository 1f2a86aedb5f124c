package io.acqswitch.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static io.acqswitch.support.Journals.awaitCaughtUp;
import static io.acqswitch.support.Journals.queries;
import static io.acqswitch.support.Journals.sale;
import static io.acqswitch.support.Journals.states;

import io.acqswitch.sim.LedgerEntry;
import io.acqswitch.sim.StubRules;
import io.acqswitch.sim.TerminalClient;
import io.acqswitch.support.Rig;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The journal end to end: sales over real sockets reach the (embedded H2) journal with their timelines. */
@Timeout(value = 300, unit = TimeUnit.SECONDS) // a hung socket fails the test instead of the build
class JournalTest {
    private Rig rig;

    @BeforeEach
    void start() throws Exception {
        rig = Rig.start(400);
    }

    @AfterEach
    void stop() {
        rig.close();
    }

    @Test
    void shouldJournalEverySaleWithItsTimeline() throws Exception {
        List<String> rrns = new ArrayList<>();
        try (TerminalClient t = rig.terminal()) {
            for (int i = 0; i < 5; i++) {
                ISOMsg answer = t.exchange(sale(100 + i));
                assertEquals("00", answer.getString(39));
                rrns.add(answer.getString(37));
            }
        }
        rig.await("approvals delivered and journaled", () -> {
            try {
                return queries(rig).timeline(rrns.getLast()).map(tl -> tl.transaction().delivered()).orElse(false);
            } catch (SQLException e) {
                return false;
            }
        }, Duration.ofSeconds(10));
        awaitCaughtUp(rig);
        for (int i = 0; i < rrns.size(); i++) {
            JournalQueries.Timeline tl = queries(rig).timeline(rrns.get(i)).orElseThrow();
            JournalQueries.Txn txn = tl.transaction();
            assertEquals("APPROVED", txn.state());
            assertEquals(100 + i, txn.amount());
            assertEquals("476173******0010", txn.maskedPan(), "masked PAN only");
            assertEquals("00", txn.responseCode());
            assertTrue(txn.delivered());
            assertEquals("TERM0001", txn.terminalId());
            assertEquals(List.of("FORWARDED", "APPROVED"), states(tl));
            assertTrue(tl.events().getLast().delivered(), "the last event records the delivery");
        }
        assertTrue(rig.counted("switch_journal_changes_written") >= 10);
    }

    @Test
    void shouldJournalTimeoutThenReversal() throws Exception {
        rig.stub.setRules(StubRules.builder().withholdRatio(1.0).build());
        String rrn;
        try (TerminalClient t = rig.terminal()) {
            ISOMsg answer = t.exchange(sale(900));
            assertEquals("68", answer.getString(39));
            rrn = answer.getString(37);
        }
        rig.await("reversed at the issuer", () -> rig.ledger(rrn).map(LedgerEntry::reversed).orElse(false),
                Duration.ofSeconds(10));
        rig.await("reversal journaled", () -> {
            try {
                return queries(rig).timeline(rrn).map(tl -> tl.transaction().state().equals("REVERSED")).orElse(false);
            } catch (SQLException e) {
                return false;
            }
        }, Duration.ofSeconds(10));
        JournalQueries.Timeline tl = queries(rig).timeline(rrn).orElseThrow();
        // the processor stores TIMED_OUT and REVERSAL_PENDING in one write (the reversal is queued at
        // the same instant), so the journal sees FORWARDED → TIMED_OUT/REVERSAL_PENDING → REVERSED
        List<String> states = states(tl);
        assertEquals("FORWARDED", states.getFirst());
        assertTrue(states.contains("REVERSAL_PENDING") || states.contains("TIMED_OUT"), states.toString());
        assertEquals("REVERSED", states.getLast());
        JournalQueries.Event pending = tl.events().stream().filter(e -> e.state().equals("REVERSAL_PENDING")).findFirst()
                .orElseThrow();
        assertEquals("68", pending.responseCode(), "the terminal was told 68");
        assertEquals("issuer timeout", tl.transaction().reversalReason());
        assertFalse(tl.transaction().delivered() && tl.transaction().state().equals("APPROVED"));
    }

    @Test
    void shouldCatchUpAfterDatabaseOutage() throws Exception {
        try (TerminalClient t = rig.terminal()) {
            assertEquals("00", t.exchange(sale(1)).getString(39));
        }
        awaitCaughtUp(rig);
        JournalDb db = rig.node.journal().db();
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("ALTER TABLE transactions RENAME TO transactions_away"); // every batch now fails
        }
        List<String> rrns = new ArrayList<>();
        try (TerminalClient t = rig.terminal()) {
            for (int i = 0; i < 5; i++) {
                ISOMsg answer = t.exchange(sale(200 + i));
                assertEquals("00", answer.getString(39), "the switch carries on while the journal is down");
                rrns.add(answer.getString(37));
            }
        }
        rig.await("batch failures counted", () -> rig.counted("switch_journal_batch_failures") >= 1, Duration.ofSeconds(5));
        assertFalse(rig.node.journal().isUp());
        assertTrue(rig.node.journal().backlog() > 0, "changes wait");
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("ALTER TABLE transactions_away RENAME TO transactions");
        }
        awaitCaughtUp(rig);
        for (String rrn : rrns) {
            JournalQueries.Timeline tl = queries(rig).timeline(rrn).orElseThrow();
            assertEquals("APPROVED", tl.transaction().state());
            assertEquals(List.of("FORWARDED", "APPROVED"), states(tl));
        }
    }
}
