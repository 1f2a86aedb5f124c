package io.acqswitch.support;

import io.acqswitch.journal.JournalQueries;
import io.acqswitch.sim.TerminalMessages;
import io.acqswitch.txn.TxnRecord;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.Assertions;

/** Journal helpers for tests on a {@link Rig}: sales with fresh STANs, and bounded waits for the writer. */
public final class Journals {
    public static final String PAN = "4761739001010010";
    private static final AtomicInteger STAN = new AtomicInteger(3000);

    private Journals() {}

    /** A sale from TERM0001 / MERCHANT0000001 with the next STAN. */
    public static ISOMsg sale(long amount) {
        return TerminalMessages.sale(PAN, amount, stan(), "TERM0001", "MERCHANT0000001");
    }

    /** The next STAN of TERM0001, six digits. */
    public static String stan() {
        return String.format("%06d", STAN.incrementAndGet());
    }

    public static JournalQueries queries(Rig rig) {
        return new JournalQueries(rig.node.journal().db());
    }

    /** Waits (at most 10 s) until the writer has nothing left to write. */
    public static void awaitCaughtUp(Rig rig) throws InterruptedException {
        if (!rig.node.journal().awaitCaughtUp(Duration.ofSeconds(10))) {
            throw new AssertionError("journal did not catch up (backlog " + rig.node.journal().backlog() + ")");
        }
    }

    /** Waits (at most 10 s) until the journaled timeline of {@code rrn} satisfies {@code condition}. */
    public static JournalQueries.Timeline awaitTimeline(Rig rig, String rrn, Predicate<JournalQueries.Timeline> condition)
            throws InterruptedException {
        rig.await("journal timeline of " + rrn, () -> {
            try {
                return queries(rig).timeline(rrn).map(condition::test).orElse(false);
            } catch (SQLException e) {
                return false;
            }
        }, Duration.ofSeconds(10));
        try {
            return queries(rig).timeline(rrn).orElseThrow();
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }

    /** The distinct states of a timeline, in order. */
    public static List<String> states(JournalQueries.Timeline t) {
        return t.events().stream().map(JournalQueries.Event::state).distinct().toList();
    }

    /**
     * Fails unless the journal holds exactly the store's {@code records} (the same RRNs, no more, no
     * fewer), each row in the record's final state, field by field. {@code what} names a record in a
     * failure message (e.g. its RRN and what the test made of it).
     */
    public static void assertJournalMatchesStore(List<TxnRecord> records, JournalQueries q,
            Function<TxnRecord, String> what) throws SQLException {
        Map<String, JournalQueries.Txn> journaled = new HashMap<>();
        q.range(null, null).forEach(txn -> journaled.put(txn.rrn(), txn));
        Set<String> stored = new TreeSet<>();
        records.forEach(r -> stored.add(r.rrn));
        Assertions.assertEquals(stored, new TreeSet<>(journaled.keySet()), "the same transactions on both sides");
        for (TxnRecord r : records) {
            JournalQueries.Txn j = journaled.get(r.rrn);
            String w = what.apply(r);
            Assertions.assertEquals(r.state.name(), j.state(), w);
            Assertions.assertEquals(r.responseCode, j.responseCode(), w);
            Assertions.assertEquals(r.authCode, j.authCode(), w);
            Assertions.assertEquals(r.delivered, j.delivered(), w);
            Assertions.assertEquals(r.amount, j.amount(), w);
            Assertions.assertEquals(r.messageClass.name(), j.messageClass(), w);
            Assertions.assertEquals(r.terminalId, j.terminalId(), w);
            Assertions.assertEquals(r.terminalStan, j.terminalStan(), w);
            Assertions.assertEquals(r.maskedPan, j.maskedPan(), w);
            Assertions.assertEquals(r.reversalReason, j.reversalReason(), w);
            Assertions.assertEquals(r.safAttempts, j.safAttempts(), w);
            Assertions.assertEquals(r.safExpired, j.safExpired(), w);
            Assertions.assertEquals(r.duplicates, j.duplicates(), w);
            Assertions.assertEquals(r.originalRrn, j.originalRrn(), w);
            Assertions.assertEquals(r.flag, j.flag(), w);
        }
    }
}
