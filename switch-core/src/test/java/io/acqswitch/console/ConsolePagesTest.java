package io.acqswitch.console;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.acqswitch.journal.JournalQueries;
import io.acqswitch.txn.ReversalReasons;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The transaction page's timeline and message rows, read from journaled values (no database). */
class ConsolePagesTest {
    private static final Instant RECEIVED = Instant.parse("2026-12-05T14:00:00Z");
    private static final Instant TIMED_OUT = RECEIVED.plusSeconds(2);

    private static JournalQueries.Txn txn(String state, String reason) {
        return new JournalQueries.Txn("633900000001", 0, state, "SALE", "0200", "000000", "TERM0001", "MERCHANT0000001",
                "000001", "476173******0010", 1000, "840", "issuer-a", "68", "", true, reason, 1, false, RECEIVED,
                RECEIVED, TIMED_OUT, null, TIMED_OUT, "", "", "", 0, null);
    }

    private static JournalQueries.Event event(String state, String rc, int safAttempts, Instant at) {
        return new JournalQueries.Event(0, state, rc, false, safAttempts, false, 0, at);
    }

    @Test
    void shouldShowAnIssuerTimeoutAndItsQueuedReversalAsTwoSteps() {
        List<Views.Step> steps = ConsolePages.steps(txn("REVERSAL_PENDING", ReversalReasons.ISSUER_TIMEOUT), List.of(
                event("FORWARDED", "", 0, RECEIVED),
                event("REVERSAL_PENDING", "68", 0, TIMED_OUT.plusMillis(3)),
                event("REVERSAL_PENDING", "68", 1, TIMED_OUT.plusMillis(40))));
        assertEquals(List.of("1 FORWARDED", "2 TIMED_OUT 68", "3 REVERSAL_PENDING 68", "4 REVERSAL_PENDING 68"),
                steps.stream().map(s -> (s.number() + " " + s.state() + " " + s.responseCode()).strip()).toList());
        assertEquals("no issuer answer within its deadline; terminal answered 68", steps.get(1).reason());
        assertEquals("2026-12-05T14:00:02Z", steps.get(1).at(), "the timeout at the record's completion time");
        assertEquals("reversal queued in the SAF (issuer timeout)", steps.get(2).reason());
        assertEquals("reversal advice sent (attempt 1)", steps.get(3).reason());
    }

    @Test
    void shouldKeepOtherReversalsOneStep() {
        List<Views.Step> steps = ConsolePages.steps(txn("REVERSAL_PENDING", ReversalReasons.UNDELIVERABLE), List.of(
                event("FORWARDED", "", 0, RECEIVED),
                event("APPROVED", "00", 0, TIMED_OUT),
                event("REVERSAL_PENDING", "00", 0, TIMED_OUT.plusMillis(5))));
        assertEquals(List.of("FORWARDED", "APPROVED", "REVERSAL_PENDING"), steps.stream().map(Views.Step::state).toList());
    }

    @Test
    void shouldListAJournaledMessagesFieldsWithTheirNames() {
        List<Views.Field> fields = ConsolePages.fields("0=0210\n2=476173******0010\n39=00\n35=<hidden, 37 chars>");
        assertEquals(List.of(new Views.Field("MTI", "message type", "0210"), new Views.Field("2", "PAN (masked)", "476173******0010"),
                new Views.Field("39", "response code", "00"), new Views.Field("35", "track 2", "<hidden, 37 chars>")), fields);
    }
}
