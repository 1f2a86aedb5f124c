package io.acqswitch.support;

import io.acqswitch.journal.JournalQueries;
import io.acqswitch.sim.TerminalMessages;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.jpos.iso.ISOMsg;

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
}
