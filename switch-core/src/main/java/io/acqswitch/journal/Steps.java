package io.acqswitch.journal;

import io.acqswitch.txn.TxnRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A transaction's history as the {@code steps} column of its journal row holds it (V9): one line
 * per record change, appended by each batch that writes the row.
 *
 * <pre>
 *   epochMillis seq STATE flags safAttempts duplicates responseCode\n
 *   1733440000123 1099511627776 FORWARDED - 0 0 \n
 *   1733440000131 2199023255553 APPROVED d 0 0 00\n
 * </pre>
 *
 * {@code flags}: {@code d} delivered, {@code e} SAF expired, both {@code de}, neither {@code -}.
 * The response code is last (the rest of the line: it is never more than the column's two
 * characters, and never holds a line break, since {@link JournalValues} replaced control
 * characters). Stateless.
 */
final class Steps {
    /**
     * The most characters one batch appends to a row: beyond it a record's steps in that batch are
     * left out (a terminal repeating one sale thousands of times within one batch window), and the
     * row keeps its latest state all the same.
     */
    static final int MAX_APPEND = 20_000;
    /** A row's steps stop growing at this length (the statements append only below it). */
    static final int MAX_LENGTH = 200_000;

    private Steps() {}

    /** Appends {@code ch}'s line: when its state was reached (else when the writer saw it), its sequence and flags. */
    static void append(StringBuilder out, JournalDb.Change ch, JournalValues.Tally tally) {
        long at = ch.at();
        if (!JournalValues.isTime(at)) {
            tally.add(JournalValues.Fix.BAD_TIME);
            at = ch.observedAt();
        }
        TxnRecord r = ch.record();
        out.append(at).append(' ').append(ch.seq()).append(' ').append(r.state.name()).append(' ');
        if (!r.delivered && !r.safExpired) {
            out.append('-');
        } else {
            out.append(r.delivered ? "d" : "").append(r.safExpired ? "e" : "");
        }
        out.append(' ').append(r.safAttempts).append(' ').append(r.duplicates).append(' ')
                .append(JournalValues.text(JournalValues.Column.RESPONSE_CODE, r.responseCode, tally)).append('\n');
    }

    /**
     * The events a {@code steps} value holds, added to {@code into}; a line that does not parse is
     * skipped (a row cut by {@link #MAX_LENGTH} may end in one).
     */
    static void parse(String steps, List<JournalQueries.Event> into) {
        if (steps == null || steps.isEmpty()) {
            return;
        }
        for (String line : steps.split("\n")) {
            String[] p = line.split(" ", 7);
            if (p.length < 6) {
                continue;
            }
            try {
                into.add(new JournalQueries.Event(Long.parseLong(p[1]), p[2], p.length > 6 ? p[6] : "",
                        p[3].contains("d"), Integer.parseInt(p[4]), p[3].contains("e"), Integer.parseInt(p[5]),
                        Instant.ofEpochMilli(Long.parseLong(p[0]))));
            } catch (RuntimeException e) {
                // not a step line: skipped
            }
        }
    }

    /**
     * {@code events} in the journal's order (sequence, then time), each change once: a change
     * written twice (queued, and found again by a rescan in a later batch) keeps its earliest time,
     * which is the one the processor stamped.
     */
    static List<JournalQueries.Event> ordered(List<JournalQueries.Event> events) {
        List<JournalQueries.Event> sorted = new ArrayList<>(events);
        sorted.sort(Comparator.comparingLong(JournalQueries.Event::seq).thenComparing(JournalQueries.Event::at));
        List<JournalQueries.Event> out = new ArrayList<>(sorted.size());
        Set<String> seen = new HashSet<>();
        for (JournalQueries.Event e : sorted) {
            if (seen.add(e.seq() + " " + e.responseCode())) {
                out.add(e);
            }
        }
        return out;
    }
}
