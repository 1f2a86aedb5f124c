package io.acqswitch.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.acqswitch.store.HeapTransactionStore;
import io.acqswitch.store.TransactionStore;
import io.acqswitch.support.Await;
import io.acqswitch.txn.RecordCodec;
import io.acqswitch.txn.TxnRecord;
import io.acqswitch.txn.TxnState;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.h2.api.Trigger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Coalescing: a record that goes through several states within one batch is written as one row
 * write at its latest state, and every change stays on its timeline as an event with its own time,
 * in order; across batches, and with an older change coming late, the row is still right and no
 * event is doubled. Row writes are counted by a trigger on {@code transactions} (so an upsert that
 * leaves a newer row alone is not counted). Batches grow with the backlog. Embedded H2 here,
 * PostgreSQL in {@link JournalCoalescePostgresTest}.
 */
class JournalCoalesceTest {
    private static final AtomicInteger DB = new AtomicInteger();
    private static final long T0 = 1_700_000_000_000L;

    private final RecordCodec codec = new RecordCodec();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    protected JournalDb db;
    private TransactionStore store;
    private JournalWriter writer;

    /** H2's trigger: counts each row written into {@code test_row_writes}. */
    public static final class CountRowWrites implements Trigger {
        @Override
        public void fire(Connection conn, Object[] oldRow, Object[] newRow) throws SQLException {
            try (Statement st = conn.createStatement()) {
                st.executeUpdate("UPDATE test_row_writes SET n = n + 1");
            }
        }
    }

    /** The journal under test: a fresh in-memory H2 in PostgreSQL mode, as the switch configures it. */
    protected JournalDb openDb() throws Exception {
        return new JournalDb("jdbc:h2:mem:jc" + DB.incrementAndGet()
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1", "sa", "");
    }

    /** Drops what {@link #openDb} made; called once the writer is closed. */
    protected void closeDb() throws Exception {}

    /** Has every row inserted or updated in {@code transactions} counted in {@code test_row_writes}. */
    protected void countRowWrites(Statement st) throws SQLException {
        st.execute("CREATE TRIGGER test_count AFTER INSERT, UPDATE ON transactions FOR EACH ROW CALL \""
                + CountRowWrites.class.getName() + "\"");
    }

    @BeforeEach
    void open() throws Exception {
        db = openDb();
        store = new HeapTransactionStore();
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            db.migrate(c);
            st.execute("CREATE TABLE test_row_writes (n INTEGER NOT NULL)");
            st.execute("INSERT INTO test_row_writes VALUES (0)");
            countRowWrites(st);
        }
    }

    @AfterEach
    void close() throws Exception {
        if (writer != null) {
            writer.close();
        }
        if (store != null) { // null when openDb skipped the test
            store.close();
        }
        closeDb();
    }

    private long count(String sql) throws SQLException {
        try (Connection c = db.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Step lines in every row's history, as written (a change written twice counts twice). */
    private long stepLines() throws SQLException {
        long n = 0;
        try (Connection c = db.connect(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT steps FROM transactions")) {
            while (rs.next()) {
                List<JournalQueries.Event> events = new ArrayList<>();
                Steps.parse(rs.getString(1), events);
                n += events.size();
            }
        }
        return n;
    }

    private long rowWrites() throws SQLException {
        return count("SELECT n FROM test_row_writes");
    }

    private double counted(String name) {
        return registry.get(name).counter().count();
    }

    /** A sale's three changes: forwarded at T0+10, approved at T0+250, its answer delivered (seen at T0+300). */
    static List<TxnRecord> sale(String rrn) {
        TxnRecord forwarded = JournalWriterTest.record(rrn, TxnState.FORWARDED, 1234);
        forwarded.receivedAt = T0;
        forwarded.forwardedAt = T0 + 10;
        TxnRecord approved = JournalWriterTest.record(rrn, TxnState.APPROVED, 1234);
        approved.receivedAt = T0;
        approved.forwardedAt = T0 + 10;
        approved.responseCode = "00";
        approved.authCode = "A1B2C3";
        approved.completedAt = T0 + 250;
        TxnRecord delivered = JournalWriterTest.record(rrn, TxnState.APPROVED, 1234);
        delivered.receivedAt = T0;
        delivered.forwardedAt = T0 + 10;
        delivered.responseCode = "00";
        delivered.authCode = "A1B2C3";
        delivered.completedAt = T0 + 250;
        delivered.delivered = true;
        return List.of(forwarded, approved, delivered);
    }

    private static JournalDb.Change change(TxnRecord r) {
        return new JournalDb.Change(r, T0 + 300); // seen by the writer at T0+300
    }

    /** The timeline as the operations API shows it: every change, its state, delivery flag and time, in order. */
    private void assertSaleTimeline(String rrn) throws SQLException {
        JournalQueries.Timeline tl = new JournalQueries(db).timeline(rrn).orElseThrow();
        assertEquals("APPROVED", tl.transaction().state());
        assertTrue(tl.transaction().delivered());
        assertEquals("A1B2C3", tl.transaction().authCode());
        List<JournalQueries.Event> ev = tl.events();
        assertEquals(3, ev.size(), ev.toString());
        assertEquals(List.of("FORWARDED", "APPROVED", "APPROVED"), ev.stream().map(JournalQueries.Event::state).toList());
        assertEquals(List.of(false, false, true), ev.stream().map(JournalQueries.Event::delivered).toList());
        assertEquals(List.of("", "00", "00"), ev.stream().map(JournalQueries.Event::responseCode).toList());
        assertEquals(List.of(Instant.ofEpochMilli(T0 + 10), Instant.ofEpochMilli(T0 + 250), Instant.ofEpochMilli(T0 + 300)),
                ev.stream().map(JournalQueries.Event::at).toList(), "each change at its own time");
        assertTrue(ev.get(0).seq() < ev.get(1).seq() && ev.get(1).seq() < ev.get(2).seq());
    }

    @Test
    void shouldWriteThreeChangesOfOneRecordInOneBatchAsOneRowWriteWithThreeSteps() throws Exception {
        List<TxnRecord> sale = sale("000000000001");
        try (Connection c = db.connect()) {
            int rows = db.write(c, sale.stream().map(JournalCoalesceTest::change).toList(), T0 + 400);
            assertEquals(1, rows);
        }
        assertEquals(1, rowWrites(), "one row write for the three changes");
        assertEquals(1, count("SELECT COUNT(*) FROM transactions"));
        assertEquals(3, stepLines());
        assertSaleTimeline("000000000001");
    }

    @Test
    void shouldBeRightWhenARecordChangesAcrossTwoBatches() throws Exception {
        List<TxnRecord> sale = sale("000000000002");
        List<TxnRecord> other = sale("000000000003");
        try (Connection c = db.connect()) {
            db.write(c, List.of(change(sale.get(0)), change(other.get(0))), T0 + 100);
            assertEquals(2, rowWrites());
            db.write(c, List.of(change(other.get(1)), change(sale.get(1)), change(other.get(2)), change(sale.get(2))),
                    T0 + 400);
        }
        assertEquals(4, rowWrites(), "each record's row once per batch");
        assertEquals(2, count("SELECT COUNT(*) FROM transactions"));
        assertEquals(6, stepLines(), "each change once in its row's history");
        assertSaleTimeline("000000000002");
        assertSaleTimeline("000000000003");
    }

    @Test
    void shouldNeitherMoveARowBackNorDoubleAnEventWhenAChangeComesAgainLater() throws Exception {
        List<TxnRecord> sale = sale("000000000004");
        try (Connection c = db.connect()) {
            db.write(c, sale.stream().map(JournalCoalesceTest::change).toList(), T0 + 400);
            // the FORWARDED change again (a re-read, a replay), alone and beside the latest
            db.write(c, List.of(change(sale.get(0))), T0 + 500);
            db.write(c, List.of(change(sale.get(0)), change(sale.get(2)), change(sale.get(0))), T0 + 600);
        }
        assertEquals(3, rowWrites(), "the first write, then each later batch appends its steps");
        assertEquals(6, stepLines(), "as written: three, then FORWARDED, then FORWARDED (its two copies once) and delivered");
        assertEquals(1, count("SELECT COUNT(*) FROM transactions WHERE state = 'APPROVED' AND delivered"),
                "the older change never moved the row back");
        assertSaleTimeline("000000000004"); // three events: the timeline shows each change once
    }

    @Test
    void shouldCoalesceASalesChangesThatArriveWithinTheBatchWindow() throws Exception {
        writer = new JournalWriter(db, store, null, 1024, 100, 1000, Duration.ofSeconds(1), Duration.ofMillis(10),
                Duration.ofMillis(100), registry, System::currentTimeMillis).start();
        assertTrue(writer.awaitCaughtUp(Duration.ofSeconds(10)));
        JournalingStore journaling = new JournalingStore(store, writer);
        for (TxnRecord r : sale("000000000005")) { // as the processor writes them: milliseconds apart
            journaling.put(r.rrn, codec.encode(r));
            Thread.sleep(5); // time is the subject: the changes come milliseconds apart, within the batch window
        }
        assertTrue(writer.awaitCaughtUp(Duration.ofSeconds(10)));
        assertEquals(3.0, counted("switch_journal_changes_written"));
        assertEquals(1.0, counted("switch_journal_batches_written"), "one batch: the window held it open");
        assertEquals(1.0, counted("switch_journal_rows_written"));
        assertEquals(1, rowWrites());
        JournalQueries.Timeline tl = new JournalQueries(db).timeline("000000000005").orElseThrow();
        assertEquals(3, tl.events().size());
        assertEquals(Instant.ofEpochMilli(T0 + 10), tl.events().get(0).at());
        assertEquals(Instant.ofEpochMilli(T0 + 250), tl.events().get(1).at());
        assertTrue(tl.transaction().delivered());
    }

    @Test
    void shouldTakeBiggerBatchesTheBiggerTheBacklogUpToTheBound() throws Exception {
        writer = new JournalWriter(db, store, null, 1024, 10, 100, Duration.ZERO, Duration.ofMillis(10),
                Duration.ofMillis(100), registry, System::currentTimeMillis);
        for (int i = 0; i < 250; i++) { // queued before the writer starts: a backlog of 250 (the store is empty)
            TxnRecord r = JournalWriterTest.record(String.format("B%011d", i), TxnState.FORWARDED, i);
            assertTrue(writer.offer(r.rrn, codec.encode(r)));
        }
        writer.start();
        assertTrue(writer.awaitCaughtUp(Duration.ofSeconds(20)));
        assertEquals(250.0, counted("switch_journal_changes_written"));
        assertEquals(3.0, counted("switch_journal_batches_written"), "100, 100, 50: not 25 batches of batchSize 10");
        assertEquals(250, count("SELECT COUNT(*) FROM transactions"));
        assertEquals(250, stepLines());
    }

    /** A writer as shipped (batch window 20 ms, so records in flight are held up to 200 ms), on {@code clock}. */
    private JournalingStore heldBackWriter(AtomicLong clock) {
        writer = new JournalWriter(db, store, null, 1024, 500, 4000, Duration.ofMillis(20), Duration.ofMillis(10),
                Duration.ofMillis(100), registry, clock::get).start();
        Await.until("the writer connected", writer::isUp, Duration.ofSeconds(10));
        return new JournalingStore(store, writer);
    }

    @Test
    void shouldHoldASaleInFlightUntilItsNextChangesAndWriteItsRowOnce() throws Exception {
        AtomicLong clock = new AtomicLong(T0 + 300); // as change() sees them
        JournalingStore journaling = heldBackWriter(clock);
        List<TxnRecord> sale = sale("000000000006");
        journaling.put(sale.get(0).rrn, codec.encode(sale.get(0))); // FORWARDED: its issuer has not answered
        Await.holds("the forwarded sale waits for its answer", () -> counted("switch_journal_changes_written") == 0,
                Duration.ofMillis(300));
        journaling.put(sale.get(1).rrn, codec.encode(sale.get(1))); // APPROVED: not yet delivered, held still
        journaling.put(sale.get(2).rrn, codec.encode(sale.get(2))); // delivered: done
        Await.until("the sale written", () -> counted("switch_journal_changes_written") == 3.0, Duration.ofSeconds(10));
        assertEquals(1.0, counted("switch_journal_rows_written"));
        assertEquals(1, rowWrites(), "one insert for the three changes");
        assertSaleTimeline("000000000006");
    }

    @Test
    void shouldWriteARecordStillInFlightOnceItWasHeldTenBatchWindows() throws Exception {
        AtomicLong clock = new AtomicLong(T0 + 300); // as change() sees them
        JournalingStore journaling = heldBackWriter(clock);
        TxnRecord forwarded = sale("000000000007").getFirst();
        journaling.put(forwarded.rrn, codec.encode(forwarded));
        Await.holds("held", () -> counted("switch_journal_changes_written") == 0, Duration.ofMillis(200));
        clock.addAndGet(JournalWriter.HOLD_WINDOWS * 20); // its issuer is slow: the journal does not wait longer
        Await.until("written as it is", () -> counted("switch_journal_changes_written") == 1.0, Duration.ofSeconds(10));
        assertEquals(1, count("SELECT COUNT(*) FROM transactions WHERE state = 'FORWARDED'"));
    }

    @Test
    void shouldNotHoldARecordThatIsNotWaitingForAnything() throws Exception {
        AtomicLong clock = new AtomicLong(T0 + 300); // as change() sees them
        JournalingStore journaling = heldBackWriter(clock);
        TxnRecord declined = JournalWriterTest.record("000000000008", TxnState.DECLINED, 100);
        declined.responseCode = "05";
        journaling.put(declined.rrn, codec.encode(declined));
        Await.until("written at once (the clock never moves)", () -> counted("switch_journal_changes_written") == 1.0,
                Duration.ofSeconds(10));
    }
}
