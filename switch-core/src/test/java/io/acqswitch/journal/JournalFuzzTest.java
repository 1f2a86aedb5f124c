package io.acqswitch.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.acqswitch.iso.MessageClass;
import io.acqswitch.store.HeapTransactionStore;
import io.acqswitch.txn.RecordCodec;
import io.acqswitch.txn.TxnRecord;
import io.acqswitch.txn.TxnState;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Records with hostile values in every field (NULs and control characters, lone surrogates,
 * non-characters, values far over their column, full PANs, impossible times and numbers) are
 * journaled without one failed batch: the normaliser fits every value, so the journal stays up
 * and nothing needs quarantine. Bounded ({@value #RECORDS} records, {@value #DIRECT_BATCHES} direct
 * batches); the seed is printed, {@code -Djournal.fuzz.seed=N} replays a run. H2 here, PostgreSQL
 * in {@link JournalFuzzPostgresTest}.
 */
class JournalFuzzTest {
    static final int RECORDS = 600;
    static final int DIRECT_BATCHES = 20;
    private static final AtomicInteger DB = new AtomicInteger();
    private static final String[] PIECES = {"\0", "\u0001", "\u001b[2J", "\n", "\r\n", "\t", "\u007f", "\u0085", "\u009f",
        "\uD800", "\uDC00", "\uD83D\uDE00", "\uFFFE", "\uFFFF", "\uFEFF", "\u202E", "e\u0301", "\u00ff", "\u94f6\u8054",
        "'", "\"", "\\", "%", "_", "'; DROP TABLE transactions; --", "4761739001010010", "47617390010100101234567"};

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    protected JournalDb db;
    private JournalWriter writer;

    /** The journal under test: a fresh in-memory H2 in PostgreSQL mode, as the switch configures it. */
    protected JournalDb openDb() throws Exception {
        return new JournalDb("jdbc:h2:mem:jf" + DB.incrementAndGet()
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1", "sa", "");
    }

    @BeforeEach
    void open() throws Exception {
        db = openDb();
    }

    /** Drops what {@link #openDb} made; called once the writer is closed. */
    protected void closeDb() throws Exception {}

    @AfterEach
    void close() throws Exception {
        if (writer != null) {
            writer.close();
        }
        closeDb();
    }

    private static long seed() {
        long seed = Long.getLong("journal.fuzz.seed", System.nanoTime());
        System.out.println("journal fuzz seed " + seed + " (replay: -Djournal.fuzz.seed=" + seed + ")");
        return seed;
    }

    /** A value from the hostile pieces, random characters and digit runs; now and then far too long. */
    static String hostile(Random rnd) {
        StringBuilder sb = new StringBuilder();
        int parts = rnd.nextInt(10) == 0 ? 200 + rnd.nextInt(800) : rnd.nextInt(6);
        for (int i = 0; i < parts; i++) {
            switch (rnd.nextInt(4)) {
                case 0 -> sb.append(PIECES[rnd.nextInt(PIECES.length)]);
                case 1 -> sb.append((char) rnd.nextInt(0x10000)); // any UTF-16 unit, surrogates included
                case 2 -> {
                    for (int d = 12 + rnd.nextInt(14); d > 0; d--) {
                        sb.append((char) ('0' + rnd.nextInt(10)));
                    }
                }
                default -> sb.append("TERM0001");
            }
        }
        return sb.toString();
    }

    private static long hostileTime(Random rnd) {
        return switch (rnd.nextInt(6)) {
            case 0 -> 0;
            case 1 -> Long.MAX_VALUE;
            case 2 -> Long.MIN_VALUE + rnd.nextInt(1000);
            case 3 -> -1 - rnd.nextInt(1_000_000);
            case 4 -> JournalValues.MAX_TIME + 1 + rnd.nextInt(1_000_000);
            default -> 1_700_000_000_000L + rnd.nextInt(1_000_000_000);
        };
    }

    /** A record with hostile values everywhere but its RRN's first 8 characters (unique, so each gets a row). */
    static TxnRecord record(Random rnd, int i) {
        TxnRecord r = new TxnRecord();
        r.rrn = String.format("F%07d", i) + (rnd.nextBoolean() ? "" : hostile(rnd));
        r.state = TxnState.values()[rnd.nextInt(TxnState.values().length)];
        r.messageClass = MessageClass.values()[rnd.nextInt(MessageClass.values().length)];
        r.mti = hostile(rnd);
        r.processingCode = hostile(rnd);
        r.terminalStan = hostile(rnd);
        r.terminalId = hostile(rnd);
        r.merchantId = hostile(rnd);
        r.maskedPan = hostile(rnd);
        r.amount = rnd.nextLong();
        r.currency = rnd.nextBoolean() ? "\0\0\0" : hostile(rnd);
        r.issuerId = hostile(rnd);
        r.responseCode = hostile(rnd);
        r.authCode = hostile(rnd);
        r.delivered = rnd.nextBoolean();
        r.reversalReason = hostile(rnd);
        r.safAttempts = rnd.nextInt();
        r.safExpired = rnd.nextBoolean();
        r.receivedAt = hostileTime(rnd);
        r.forwardedAt = hostileTime(rnd);
        r.completedAt = hostileTime(rnd);
        r.reversedAt = hostileTime(rnd);
        r.originalRrn = hostile(rnd);
        r.batch = hostile(rnd);
        r.flag = rnd.nextInt(20) == 0 ? "n".repeat(4000 + rnd.nextInt(2000)) : hostile(rnd);
        r.duplicates = rnd.nextInt();
        r.lastDuplicateAt = hostileTime(rnd);
        return r;
    }

    private long count(String sql) throws SQLException {
        try (Connection c = db.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Every text value in {@code db}'s journal: no control character, within its column, no more than 10 digits in a PAN. */
    static void assertEveryRowIsClean(JournalDb db) throws SQLException {
        List<String> columns = new ArrayList<>();
        for (JournalValues.Column col : JournalValues.Column.values()) {
            columns.add(col.columnName());
        }
        try (Connection c = db.connect(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT " + String.join(", ", columns) + " FROM transactions")) {
            while (rs.next()) {
                for (JournalValues.Column col : JournalValues.Column.values()) {
                    String v = rs.getString(col.columnName());
                    assertTrue(v.length() <= col.width(), col.columnName() + " over its width: " + v.length());
                    assertTrue(v.chars().noneMatch(Character::isISOControl), col.columnName() + " holds a control character");
                }
                String pan = rs.getString("masked_pan");
                assertTrue(pan.chars().filter(Character::isDigit).count() <= 10, "no full PAN: " + pan);
            }
        }
    }

    private double counted(String name) {
        return registry.find(name).counters().stream().mapToDouble(c -> c.count()).sum();
    }

    @Test
    void shouldStayUpAndJournalEveryRecordWhateverItsValues() throws Exception {
        Random rnd = new Random(seed());
        HeapTransactionStore store = new HeapTransactionStore(); // only the writer reads it once it has started
        writer = new JournalWriter(db, store, null, 64, 50, Duration.ofMillis(10), Duration.ofMillis(100), registry,
                System::currentTimeMillis);
        JournalingStore journaling = new JournalingStore(store, writer);
        RecordCodec codec = new RecordCodec();
        for (int i = 0; i < RECORDS; i++) { // past the queue: the rest overflows and is re-read from the store
            TxnRecord r = record(rnd, i);
            journaling.put(r.rrn, codec.encode(r));
        }
        writer.start();
        assertTrue(writer.awaitCaughtUp(Duration.ofSeconds(60)), "backlog " + writer.backlog());
        assertTrue(writer.isUp());
        assertEquals(0.0, counted("switch_journal_batch_failures"), "no batch failed: every value was fitted");
        assertEquals(0.0, counted("switch_journal_quarantined"));
        assertTrue(counted("switch_journal_values_normalised") > RECORDS, "the normaliser did the work");
        assertEquals(RECORDS, count("SELECT COUNT(*) FROM transactions"));
        assertEveryRowIsClean(db);
    }

    @Test
    void shouldTakeHostileValuesHandedStraightToTheDatabase() throws Exception {
        // no record codec in between: lone surrogates and every other value reach JournalDb as generated
        Random rnd = new Random(seed());
        JournalValues.Tally tally = new JournalValues.Tally();
        try (Connection c = db.connect()) {
            db.migrate(c);
            for (int b = 0; b < DIRECT_BATCHES; b++) {
                List<JournalDb.Change> batch = new ArrayList<>();
                for (int i = 0; i < 25; i++) {
                    batch.add(new JournalDb.Change(record(rnd, b * 25 + i), System.currentTimeMillis()));
                }
                db.write(c, batch, System.currentTimeMillis(), tally);
            }
        }
        assertEquals(DIRECT_BATCHES * 25, count("SELECT COUNT(*) FROM transactions"));
        assertTrue(tally.count(JournalValues.Fix.BAD_CHARACTER) > 0 && tally.count(JournalValues.Fix.TOO_LONG) > 0
                && tally.count(JournalValues.Fix.BAD_TIME) > 0 && tally.count(JournalValues.Fix.UNMASKED_PAN) > 0);
        assertEveryRowIsClean(db);
    }
}
