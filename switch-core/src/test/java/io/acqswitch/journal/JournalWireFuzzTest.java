package io.acqswitch.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.acqswitch.sim.TerminalClient;
import io.acqswitch.sim.TerminalMessages;
import io.acqswitch.support.Journals;
import io.acqswitch.support.RigTest;
import io.acqswitch.txn.RecordCodec;
import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jpos.iso.ISOException;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hostile values over the wire in every request field a terminal can get into the journal
 * (processing code, STAN, terminal and merchant IDs, PAN in field 2 or a track 2 of up to 37
 * characters, amount, currency, field 60's batch, a void's original RRN): NULs, other control
 * characters, bytes over 0x7F, quotes and SQL, digit runs, empty and full-length values, with a
 * well-formed sale between them. Whatever the switch answered (or a clean close), the journal stays
 * up and caught up, every stored record is journaled (normalised) or quarantined, no journaled
 * value holds a control character or a full PAN, and every well-formed sale is journaled as
 * approved and delivered. Bounded ({@value #REQUESTS} requests); the seed is printed,
 * {@code -Djournal.fuzz.seed=N} replays a run. Embedded H2 here, PostgreSQL (which refuses NUL in
 * text) in {@link JournalWireFuzzPostgresTest}.
 */
class JournalWireFuzzTest extends RigTest {
    static final int REQUESTS = 300;
    private static final String[] PIECES = {"\0", "\u0001", "\u001b[2J", "\n", "\r", "\t", "\u007f", "\u0085", "\u00ff",
        "'", "\"", "\\", "%", "_", "'; DROP TABLE transactions; --", "=", "D", " "};

    /** Up to {@code max} characters: hostile pieces, any ISO-8859-1 byte, digits; now and then exactly {@code max}. */
    private static String hostile(Random rnd, int max) {
        StringBuilder sb = new StringBuilder();
        int target = rnd.nextInt(4) == 0 ? max : rnd.nextInt(max + 1);
        while (sb.length() < target) {
            switch (rnd.nextInt(3)) {
                case 0 -> sb.append(PIECES[rnd.nextInt(PIECES.length)]);
                case 1 -> sb.append((char) rnd.nextInt(0x100)); // the wire's charset is ISO-8859-1
                default -> sb.append((char) ('0' + rnd.nextInt(10)));
            }
        }
        return sb.length() > max ? sb.substring(0, max) : sb.toString();
    }

    /** A digit run of {@code min}..{@code max} digits. */
    private static String digits(Random rnd, int min, int max) {
        StringBuilder sb = new StringBuilder();
        for (int n = min + rnd.nextInt(max - min + 1); n > 0; n--) {
            sb.append((char) ('0' + rnd.nextInt(10)));
        }
        return sb.toString();
    }

    /** A sale (or now and then a void) with one to four of its journaled fields made hostile. */
    private static ISOMsg hostileRequest(Random rnd, int i) throws ISOException {
        ISOMsg m = TerminalMessages.sale(Journals.PAN, 100 + rnd.nextInt(4000), String.format("%06d", i), "TERM0001",
                "MERCHANT0000001");
        for (int k = 1 + rnd.nextInt(4); k > 0; k--) {
            switch (rnd.nextInt(10)) {
                case 0 -> m.set(3, rnd.nextBoolean() ? hostile(rnd, 6) : "200000"); // or a void of field 37
                case 1 -> m.set(37, hostile(rnd, 12));
                case 2 -> m.set(11, hostile(rnd, 6));
                case 3 -> m.set(41, hostile(rnd, 8));
                case 4 -> m.set(42, hostile(rnd, 15));
                case 5 -> m.set(49, hostile(rnd, 3));
                case 6 -> m.set(60, hostile(rnd, 1 + rnd.nextInt(40)));
                case 7 -> m.set(4, hostile(rnd, 12));
                case 8 -> m.set(2, rnd.nextBoolean() ? hostile(rnd, 19) : digits(rnd, 1, 19));
                default -> { // a track 2: PANs of 12 to 37 digits, with or without a separator, or anything
                    m.unset(2);
                    m.set(35, switch (rnd.nextInt(3)) {
                        case 0 -> digits(rnd, 12, 37);
                        case 1 -> digits(rnd, 12, 24) + "=" + digits(rnd, 0, 12);
                        default -> hostile(rnd, 37);
                    });
                }
            }
        }
        return m;
    }

    private static long seed() {
        long seed = Long.getLong("journal.fuzz.seed", System.nanoTime());
        System.out.println("journal wire fuzz seed " + seed + " (replay: -Djournal.fuzz.seed=" + seed + ")");
        return seed;
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldKeepTheJournalUpAndCleanWhateverTerminalsSend() throws Exception {
        Random rnd = new Random(seed());
        Map<String, Long> goodSales = new HashMap<>(); // RRN -> amount of each well-formed sale
        Map<String, Integer> outcomes = new HashMap<>();
        for (int i = 1; i <= REQUESTS; i++) {
            boolean good = i % 5 == 0;
            ISOMsg request = good ? Journals.sale(1000 + i) : hostileRequest(rnd, i);
            ISOMsg answer;
            try {
                answer = t.exchange(request);
            } catch (IOException closed) { // the switch may close on what it cannot read: a terminal reconnects
                assertFalse(good, "a well-formed sale is answered: " + closed);
                outcomes.merge("closed", 1, Integer::sum);
                t.close();
                t = rig.terminal();
                continue;
            }
            outcomes.merge(answer.hasField(39) ? answer.getString(39) : "no 39", 1, Integer::sum);
            if (good) {
                assertEquals("00", answer.getString(39), "a well-formed sale between hostile ones is approved");
                goodSales.put(answer.getString(37), Long.parseLong(request.getString(4)));
            }
        }
        System.out.println("journal wire fuzz: response codes " + outcomes);
        JournalPoisonTest.assertJournalGoesOn(rig, t);

        JournalDb db = rig.node.journal().db();
        Set<String> stored = new HashSet<>();
        rig.node.store().forEach((rrn, bytes) -> stored.add(RecordCodec.decode(bytes).rrn));
        Set<String> journaledOrQuarantined = new HashSet<>();
        List<String> quarantined = new ArrayList<>();
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT rrn FROM transactions")) {
                while (rs.next()) {
                    journaledOrQuarantined.add(rs.getString(1));
                }
            }
            try (ResultSet rs = st.executeQuery("SELECT DISTINCT rrn FROM journal_quarantine")) {
                while (rs.next()) {
                    quarantined.add(rs.getString(1));
                }
            }
        }
        journaledOrQuarantined.addAll(quarantined);
        assertEquals(stored, journaledOrQuarantined, "every stored record journaled or quarantined, and nothing else");
        assertEquals(quarantined.isEmpty(), rig.counted("switch_journal_quarantined") == 0, "a quarantined record is counted");
        assertTrue(rig.node.journal().isUp());
        JournalFuzzTest.assertEveryRowIsClean(db);
        assertTrue(rig.counted("switch_journal_values_normalised") > 0, "hostile values were fitted and counted");
        JournalQueries q = Journals.queries(rig);
        for (Map.Entry<String, Long> sale : goodSales.entrySet()) {
            JournalQueries.Txn txn = q.timeline(sale.getKey()).orElseThrow(() -> new AssertionError(sale.getKey()))
                    .transaction();
            assertEquals("APPROVED", txn.state(), sale.getKey());
            assertTrue(txn.delivered(), sale.getKey());
            assertEquals(sale.getValue().longValue(), txn.amount(), sale.getKey());
            assertEquals("476173******0010", txn.maskedPan(), sale.getKey());
        }
        assertEquals(REQUESTS / 5, goodSales.size());
    }
}
