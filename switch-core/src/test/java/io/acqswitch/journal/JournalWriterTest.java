package io.acqswitch.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.acqswitch.iso.MessageClass;
import io.acqswitch.store.ChronicleTransactionStore;
import io.acqswitch.store.TransactionStore;
import io.acqswitch.txn.RecordCodec;
import io.acqswitch.txn.TxnRecord;
import io.acqswitch.txn.TxnState;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The writer's contract without a switch: never blocks, loses nothing on overflow or restart, never goes backwards. */
class JournalWriterTest {
    private static final AtomicInteger DB = new AtomicInteger();
    private final RecordCodec codec = new RecordCodec();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private TransactionStore store;
    private JournalDb db;
    private JournalWriter writer;

    @BeforeEach
    void open() throws Exception {
        store = new ChronicleTransactionStore(Files.createTempDirectory("jw"), 1000);
        db = new JournalDb("jdbc:h2:mem:jw" + DB.incrementAndGet()
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1", "sa", "");
    }

    @AfterEach
    void close() {
        if (writer != null) {
            writer.close();
        }
        store.close();
    }

    private JournalWriter writer(int queue) {
        return writer(queue, System::currentTimeMillis);
    }

    private JournalWriter writer(int queue, LongSupplier clock) {
        writer = new JournalWriter(db, store, null, queue, 100, Duration.ofMillis(10), Duration.ofMillis(100), registry,
                clock);
        return writer;
    }

    static TxnRecord record(String rrn, TxnState state, long amount) {
        TxnRecord r = new TxnRecord();
        r.rrn = rrn;
        r.state = state;
        r.messageClass = MessageClass.SALE;
        r.mti = "0200";
        r.terminalId = "TERM0001";
        r.terminalStan = "000001";
        r.maskedPan = "476173******0010";
        r.amount = amount;
        r.receivedAt = 1_700_000_000_000L;
        r.forwardedAt = r.receivedAt + 1;
        return r;
    }

    private long count(String sql) throws SQLException {
        try (Connection c = db.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void shouldJournalAnEditMadeWhereTheRecordLiesFromTheStoresBytes() throws Exception {
        JournalingStore journaling = new JournalingStore(store, writer(64).start());
        TxnRecord approved = record("000000000042", TxnState.APPROVED, 700);
        approved.responseCode = "00";
        journaling.put(approved.rrn, codec.encode(approved));
        assertTrue(journaling.edit(approved.rrn, RecordCodec::markDelivered), "the delivery confirmation");
        assertTrue(RecordCodec.decode(store.get(approved.rrn)).delivered, "edited in the store");
        assertFalse(journaling.edit("000000000043", RecordCodec::markDelivered), "no such record: nothing to journal");
        assertTrue(writer.awaitCaughtUp(Duration.ofSeconds(10)));
        assertEquals(1, count("SELECT COUNT(*) FROM transactions WHERE rrn = '000000000042' AND delivered"),
                "the writer read the edited record from the store");
        assertEquals(List.of("APPROVED", "APPROVED"), new JournalQueries(db).timeline("000000000042").orElseThrow()
                .events().stream().map(JournalQueries.Event::state).toList(), "approved, then delivered: two steps");
        assertEquals(0, count("SELECT COUNT(*) FROM transactions WHERE rrn = '000000000043'"));
    }

    @Test
    void shouldNotBlockWhenTheQueueIsFullAndRereadOverflowFromTheStore() throws Exception {
        JournalingStore journaling = new JournalingStore(store, writer(16)); // not started: nothing drains
        long t0 = System.nanoTime();
        for (int i = 0; i < 40; i++) {
            journaling.put(String.format("%012d", i), codec.encode(record(String.format("%012d", i), TxnState.FORWARDED, i)));
        }
        TxnRecord last = record(String.format("%012d", 39), TxnState.APPROVED, 39);
        last.responseCode = "00";
        last.delivered = true;
        journaling.put(last.rrn, codec.encode(last));
        assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(2).toNanos(), "puts never wait for the journal");
        assertEquals(25.0, registry.get("switch_journal_overflows").counter().count());
        writer.start();
        assertTrue(writer.awaitCaughtUp(Duration.ofSeconds(10)));
        assertEquals(40, count("SELECT COUNT(*) FROM transactions"));
        assertEquals(1, count("SELECT COUNT(*) FROM transactions WHERE rrn = '000000000039' AND state = 'APPROVED' AND delivered"));
    }

    @Test
    void shouldTimeTheLagFromTheProcessorsWriteToTheCommitOfItsRow() throws Exception {
        AtomicLong clock = new AtomicLong(1_700_000_000_000L);
        JournalingStore journaling = new JournalingStore(store, writer(16, clock::get)); // not started
        for (int i = 0; i < 40; i++) { // 16 queued, 24 overflow and are re-read from the store
            journaling.put(String.format("%012d", i), codec.encode(record(String.format("%012d", i), TxnState.FORWARDED, i)));
        }
        clock.addAndGet(2_500); // the journal commits them 2.5 s after the processor wrote them
        writer.start();
        assertTrue(writer.awaitCaughtUp(Duration.ofSeconds(10)));
        var lag = registry.get("switch_journal_lag").timer();
        assertEquals(40, lag.count(), "every change, queued or overflowed, once; the start-up rescan's copies are not timed");
        assertEquals(2.5, lag.max(TimeUnit.SECONDS));
        assertEquals(2.5, lag.mean(TimeUnit.SECONDS));
    }

    @Test
    void shouldWriteOnStartWhatTheJournalLacks() throws Exception {
        for (int i = 0; i < 10; i++) {
            store.put(String.format("%012d", i), codec.encode(record(String.format("%012d", i), TxnState.FORWARDED, i)));
        }
        writer(64).start();
        assertTrue(writer.awaitCaughtUp(Duration.ofSeconds(10)));
        assertEquals(10, writer.written());
        writer.close();
        TxnRecord changed = record("000000000003", TxnState.APPROVED, 3); // changed while the journal was away
        store.put(changed.rrn, codec.encode(changed));
        writer(64).start();
        assertTrue(writer.awaitCaughtUp(Duration.ofSeconds(10)));
        assertEquals(1, writer.written(), "only the record the journal lacked");
        assertEquals(1, count("SELECT COUNT(*) FROM transactions WHERE rrn = '000000000003' AND state = 'APPROVED'"));
    }

    @Test
    void shouldNeverMoveARowBackwardsAndShowEachChangeOnce() throws Exception {
        TxnRecord forwarded = record("000000000001", TxnState.FORWARDED, 5);
        TxnRecord approved = record("000000000001", TxnState.APPROVED, 5);
        approved.responseCode = "00";
        try (Connection c = db.connect()) {
            db.migrate(c);
            db.write(c, List.of(new JournalDb.Change(approved, 2)), 2);
            db.write(c, List.of(new JournalDb.Change(forwarded, 1), new JournalDb.Change(approved, 2)), 3);
        }
        assertEquals(1, count("SELECT COUNT(*) FROM transactions WHERE state = 'APPROVED'"));
        assertEquals(List.of("FORWARDED", "APPROVED"), new JournalQueries(db).timeline("000000000001").orElseThrow()
                .events().stream().map(JournalQueries.Event::state).toList());
    }

    @Test
    void shouldMaskAnythingThatLooksLikeAFullPan() {
        JournalValues.Tally tally = new JournalValues.Tally();
        assertEquals("476173******0010", JournalValues.maskedPan("4761739001010010", tally));
        assertEquals("476173******0010", JournalValues.maskedPan("476173******0010", tally));
        assertFalse(JournalValues.maskedPan("4761 7390 0101 0010", tally).contains("9001"));
    }

    @Test
    void shouldApplyMigrationsOnceAndRecordTheVersion() throws Exception {
        try (Connection c = db.connect()) {
            assertEquals(JournalDb.MIGRATIONS.size(), db.migrate(c));
            assertEquals(JournalDb.MIGRATIONS.size(), db.migrate(c));
            assertEquals(JournalDb.MIGRATIONS.size(), JournalDb.version(c));
        }
    }

    /**
     * H2 commits each DDL statement as it runs it: a kill in the middle of a script leaves part of
     * it applied and its version unrecorded, and the next start runs it again from the top. Every
     * script must then finish, the data the journal already held intact (JournalKillTest met a
     * journal stopped for good by "Duplicate column name" before the scripts could run again).
     */
    @Test
    void shouldRunEveryScriptAgainWhenACrashLeftItAppliedButNotRecorded() throws Exception {
        TxnRecord approved = record("000000000051", TxnState.APPROVED, 900);
        approved.responseCode = "00";
        try (Connection c = db.connect()) {
            db.migrate(c);
            db.write(c, List.of(new JournalDb.Change(approved, 1, 1, "0=0200\n4=000000000900", "0=0210\n39=00")), 2);
            for (int v = JournalDb.MIGRATIONS.size(); v >= 1; v--) {
                try (Statement st = c.createStatement()) {
                    st.executeUpdate("DELETE FROM schema_version WHERE version >= " + v); // applied, not recorded
                }
                assertEquals(JournalDb.MIGRATIONS.size(), db.migrate(c), "from version " + (v - 1));
            }
        }
        assertEquals(1, count("SELECT COUNT(*) FROM transactions WHERE rrn = '000000000051' AND state = 'APPROVED'"
                + " AND request_fields = '0=0200\n4=000000000900' AND answer_fields = '0=0210\n39=00'"));
        assertEquals(List.of("APPROVED"), new JournalQueries(db).timeline("000000000051").orElseThrow().events().stream()
                .map(JournalQueries.Event::state).toList());
    }
}
