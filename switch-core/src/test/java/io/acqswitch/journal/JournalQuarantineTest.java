package io.acqswitch.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.acqswitch.store.ChronicleTransactionStore;
import io.acqswitch.store.TransactionStore;
import io.acqswitch.support.Await;
import io.acqswitch.support.TempFiles;
import io.acqswitch.txn.RecordCodec;
import io.acqswitch.txn.TxnRecord;
import io.acqswitch.txn.TxnState;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.h2.api.Trigger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A change the database refuses is quarantined, counted, and the writer goes on with the rest: it
 * never retries one bad record for ever, and an outage never quarantines good ones. The refusals
 * are forced with a CHECK constraint (a data error) and an H2 trigger (any other error), so the
 * normaliser does not stand in the way.
 */
class JournalQuarantineTest {
    private static final AtomicInteger DB = new AtomicInteger();
    private final RecordCodec codec = new RecordCodec();
    private final AtomicInteger rrns = new AtomicInteger();
    private SimpleMeterRegistry registry;
    private Path dir;
    private TransactionStore store;
    private JournalingStore journaling;
    private JournalDb db;
    private JournalWriter writer;

    /** Refuses rows of terminal {@code POISON02}, or every row while {@link #refuseAll} is set, with SQLState HY000. */
    public static final class Refuse implements Trigger {
        static volatile boolean refuseAll;

        @Override
        public void fire(Connection conn, Object[] oldRow, Object[] newRow) throws SQLException {
            if (refuseAll || "POISON02".equals(newRow[6])) { // terminal_id
                throw new SQLException("refused by the test's trigger", "HY000");
            }
        }
    }

    @BeforeEach
    void open() throws Exception {
        dir = TempFiles.newDir("jq");
        store = new ChronicleTransactionStore(dir, 1000);
        db = new JournalDb("jdbc:h2:mem:jq" + DB.incrementAndGet()
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1", "sa", "");
        try (Connection c = db.connect()) {
            db.migrate(c);
        }
        Refuse.refuseAll = false;
    }

    @AfterEach
    void close() {
        Refuse.refuseAll = false;
        if (writer != null) {
            writer.close();
        }
        store.close();
        TempFiles.delete(dir);
    }

    /** A new writer (and registry) on the same store and database, not started; its changes go through {@link #journaling}. */
    private JournalWriter writer() {
        if (writer != null) {
            writer.close();
        }
        registry = new SimpleMeterRegistry();
        writer = new JournalWriter(db, store, dir.resolve("journal").resolve("quarantine.log"), 64, 100,
                Duration.ofMillis(10), Duration.ofMillis(100), registry, System::currentTimeMillis);
        journaling = new JournalingStore(store, writer);
        return writer;
    }

    private String put(String terminalId) {
        TxnRecord r = JournalWriterTest.record(String.format("%012d", rrns.incrementAndGet()), TxnState.APPROVED, 100);
        r.terminalId = terminalId;
        r.responseCode = "00";
        journaling.put(r.rrn, codec.encode(r));
        return r.rrn;
    }

    private void sql(String statement) throws SQLException {
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute(statement);
        }
    }

    private long count(String query) throws SQLException {
        try (Connection c = db.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private String text(String query) throws SQLException {
        try (Connection c = db.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(query)) {
            assertTrue(rs.next(), query);
            return rs.getString(1);
        }
    }

    private double counted(String name, String... tags) {
        var c = registry.find(name).tags(tags).counter();
        return c == null ? 0 : c.count();
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        Await.until(what, condition, Duration.ofSeconds(10));
    }

    @Test
    void shouldQuarantineTheChangeTheDatabaseRefusesAndWriteTheRestOfItsBatch() throws Exception {
        sql("ALTER TABLE transactions ADD CONSTRAINT test_refuses_poison CHECK (terminal_id <> 'POISON01')");
        writer();
        String poison = null;
        for (int i = 0; i < 10; i++) { // one batch: the writer is not started yet
            String rrn = put(i == 4 ? "POISON01" : "TERM0001");
            poison = i == 4 ? rrn : poison;
        }
        writer.start();
        assertTrue(writer.awaitCaughtUp(Duration.ofSeconds(10)), "backlog " + writer.backlog());
        assertTrue(writer.isUp());
        assertEquals(9, count("SELECT COUNT(*) FROM transactions"), "the rest of the batch is written");
        assertEquals(0, count("SELECT COUNT(*) FROM transactions WHERE rrn = '" + poison + "'"));
        assertEquals(1, count("SELECT COUNT(*) FROM journal_quarantine WHERE rrn = '" + poison + "' AND state = 'APPROVED'"));
        String reason = text("SELECT reason FROM journal_quarantine");
        assertTrue(reason.toLowerCase().contains("test_refuses_poison") && reason.contains("SQLState 23"), reason);
        String values = text("SELECT row_values FROM journal_quarantine");
        assertTrue(values.contains("terminalId=POISON01") && values.contains("maskedPan=476173******0010"), values);
        assertEquals(1.0, counted("switch_journal_quarantined", "to", "table"));
        assertEquals(0.0, counted("switch_journal_quarantined", "to", "file"));
        assertTrue(counted("switch_journal_batch_failures") >= 1);

        for (int i = 0; i < 5; i++) {
            put("TERM0001");
        }
        assertTrue(writer.awaitCaughtUp(Duration.ofSeconds(10)), "later changes keep arriving");
        assertEquals(14, count("SELECT COUNT(*) FROM transactions"));

        writer().start(); // a restart rescans the store: the quarantined change is not tried again
        assertTrue(writer.awaitCaughtUp(Duration.ofSeconds(10)));
        assertEquals(0, writer.written(), "the rescan found nothing missing");
        assertEquals(0.0, counted("switch_journal_quarantined", "to", "table"));
        assertEquals(1, count("SELECT COUNT(*) FROM journal_quarantine"));
    }

    @Test
    void shouldWriteToTheQuarantineFileWhenTheQuarantineTableRefusesToo() throws Exception {
        sql("ALTER TABLE transactions ADD CONSTRAINT test_refuses_poison CHECK (terminal_id <> 'POISON01')");
        sql("ALTER TABLE journal_quarantine ADD CONSTRAINT test_refuses_all CHECK (rrn = 'none')");
        writer();
        put("TERM0001");
        String poison = put("POISON01");
        put("TERM0001");
        writer.start();
        assertTrue(writer.awaitCaughtUp(Duration.ofSeconds(10)));
        assertEquals(2, count("SELECT COUNT(*) FROM transactions"));
        assertEquals(1.0, counted("switch_journal_quarantined", "to", "file"));
        assertEquals(0.0, counted("switch_journal_quarantined", "to", "table"));
        List<String> lines = Files.readAllLines(dir.resolve("journal").resolve("quarantine.log"));
        assertEquals(1, lines.size(), lines.toString());
        String line = lines.getFirst();
        assertTrue(line.contains("rrn=" + poison + " ") && line.toLowerCase().contains("test_refuses_poison"), line);
        assertFalse(line.contains("4761739001010010"), "masked PAN only: " + line);
        assertTrue(line.chars().allMatch(ch -> ch >= 0x20 && ch < 0x7f), line);
    }

    @Test
    void shouldQuarantineAChangeThatFailsAloneThreeTimesWhileOthersAreWritten() throws Exception {
        sql("CREATE TRIGGER test_refuse BEFORE INSERT, UPDATE ON transactions FOR EACH ROW CALL \""
                + Refuse.class.getName() + "\"");
        writer();
        String poison = put("POISON02");
        put("TERM0001");
        writer.start();
        // the refusal is no data error: only changes written beside it tell it from an outage
        for (int i = 0; i < 500 && counted("switch_journal_quarantined", "to", "table") == 0; i++) {
            put("TERM0001");
            Thread.sleep(20); // time is the subject: changes keep arriving beside the poison, as traffic would
        }
        assertEquals(1.0, counted("switch_journal_quarantined", "to", "table"));
        assertTrue(writer.awaitCaughtUp(Duration.ofSeconds(10)));
        assertEquals(rrns.get() - 1, count("SELECT COUNT(*) FROM transactions"), "every other change is written");
        assertEquals(1, count("SELECT COUNT(*) FROM journal_quarantine WHERE rrn = '" + poison + "'"));
        String reason = text("SELECT reason FROM journal_quarantine");
        assertTrue(reason.contains("refused by the test's trigger"), reason);
    }

    @Test
    void shouldNeverQuarantineWhileTheDatabaseRefusesEverything() throws Exception {
        sql("CREATE TRIGGER test_refuse BEFORE INSERT, UPDATE ON transactions FOR EACH ROW CALL \""
                + Refuse.class.getName() + "\"");
        Refuse.refuseAll = true;
        writer();
        for (int i = 0; i < 20; i++) {
            put("TERM0001");
        }
        writer.start();
        await("five failed batches", () -> counted("switch_journal_batch_failures") >= 5);
        for (int i = 0; i < 5; i++) { // changes keep coming during the outage
            put("TERM0001");
        }
        await("five more failed batches", () -> counted("switch_journal_batch_failures") >= 10);
        assertFalse(writer.isUp());
        assertTrue(writer.backlog() > 0);
        assertEquals(0, count("SELECT COUNT(*) FROM transactions"));

        Refuse.refuseAll = false;
        assertTrue(writer.awaitCaughtUp(Duration.ofSeconds(10)));
        assertEquals(25, count("SELECT COUNT(*) FROM transactions"));
        assertEquals(0, count("SELECT COUNT(*) FROM journal_quarantine"), "an outage quarantines nothing");
        for (String to : List.of("table", "file", "log")) {
            assertEquals(0.0, counted("switch_journal_quarantined", "to", to), to);
        }
    }
}
