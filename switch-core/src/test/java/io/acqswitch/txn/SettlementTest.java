package io.acqswitch.txn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.acqswitch.iso.TransmissionTime;
import io.acqswitch.sim.LedgerEntry;
import io.acqswitch.sim.TerminalMessages;
import io.acqswitch.support.Journals;
import io.acqswitch.support.Rig;
import io.acqswitch.support.RigTest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * Terminal batch settlement (0500) and batch upload (0320) with UnionPay field 48 totals and field
 * 60.2 batches, sent here in iso87 framing (fields 48 and 60 are LLLVAR there).
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS) // a hung socket fails the test instead of the build
class SettlementTest extends RigTest {
    private static final String PAN = "6222020000000000123";
    private static final String TID = "TERM0042";
    private static final String MID = "MERCHANT0000042";
    private ISOMsg send(ISOMsg m, String type, String batch) throws Exception {
        m.set(60, type + batch);
        return t.exchange(m);
    }

    private ISOMsg sale(long amount, String batch) throws Exception {
        ISOMsg a = send(TerminalMessages.sale(PAN, amount, stan(), TID, MID), "22", batch);
        assertEquals("00", a.getString(39));
        return a;
    }

    private ISOMsg settle(String batch, String totals) throws Exception {
        ISOMsg m = new ISOMsg("0500");
        m.set(7, TransmissionTime.now());
        m.set(11, stan());
        m.set(41, TID);
        m.set(42, MID);
        m.set(48, totals);
        return send(m, "00", batch + "201");
    }

    private static String totals(long debit, int debits, long credit, int credits) {
        return String.format("%012d%03d%012d%03d0", debit, debits, credit, credits) + "0".repeat(31);
    }

    @Test
    void shouldSettleInBalanceThenRefuseVoidsOfTheClosedBatch() throws Exception {
        ISOMsg a = sale(100, "000001");
        ISOMsg b = sale(200, "000001");
        ISOMsg c = sale(300, "000001");
        ISOMsg v = send(TerminalMessages.voidOf(PAN, 200, b.getString(37), b.getString(38), stan(), TID, MID), "23", "000001");
        assertEquals("00", v.getString(39));
        ISOMsg refund = send(TerminalMessages.refundOf(PAN, 50, c.getString(37), stan(), TID, MID), "25", "000001");
        assertEquals("00", refund.getString(39));

        ISOMsg answer = settle("000001", totals(400, 2, 50, 1));
        assertEquals("0510", answer.getMTI());
        assertEquals("00", answer.getString(39));
        assertEquals(totals(400, 2, 50, 1).substring(0, 30) + "1", answer.getString(48).substring(0, 31), "in balance");
        assertEquals(1.0, rig.counted("switch_settlements", "result", "in_balance"));

        ISOMsg late = send(TerminalMessages.voidOf(PAN, 100, a.getString(37), a.getString(38), stan(), TID, MID), "23", "000001");
        assertEquals("25", late.getString(39), "the batch is settled: too late to void");
    }

    @Test
    void shouldAnswerOutOfBalanceWithTheSwitchTotalsAndListUploadDifferences() throws Exception {
        ISOMsg a = sale(100, "000002");
        sale(200, "000002");
        ISOMsg answer = settle("000002", totals(350, 3, 0, 0));
        assertEquals("00", answer.getString(39));
        assertEquals(totals(300, 2, 0, 0).substring(0, 30) + "2", answer.getString(48).substring(0, 31),
                "flag 2 with the switch's own totals");

        String lines = "03"
                + a.getString(11) + String.format("%012d", 100) + "00"   // agrees
                + stan() + String.format("%012d", 250) + "00"           // the switch never approved it
                + "999999" + String.format("%012d", 0) + "20";          // a credit the switch does not know
        ISOMsg uploaded = upload("000002", lines);
        assertEquals("0330", uploaded.getMTI());
        assertEquals("00", uploaded.getString(39));
        assertEquals(1.0, rig.counted("switch_batch_uploads", "result", "differs"));
        assertTrue(rig.counted("switch_settlements", "result", "out_of_balance") == 1.0);
    }

    @Test
    void shouldLogAStormOfDifferingUploadsInAFewLinesAndCountEveryOne() throws Exception {
        Logger log =
                (Logger) LoggerFactory.getLogger(Batches.class);
        ListAppender<ILoggingEvent> lines =
                new ListAppender<>();
        lines.start();
        log.addAppender(lines);
        try {
            int uploads = 300;
            for (int i = 0; i < uploads; i++) { // each with three differences: before, 900 lines
                assertEquals("00", upload("000003", "03" + line(stan(), 1, false) + line(stan(), 2, false)
                        + line(stan(), 3, true)).getString(39));
            }
            assertEquals(uploads, rig.counted("switch_batch_uploads", "result", "differs"));
            long logged = lines.list.stream().filter(e -> e.getFormattedMessage().startsWith("batch upload")).count();
            assertTrue(logged <= 2, logged + " lines for " + uploads + " uploads (one a 10 s interval at most)");
        } finally {
            log.detachAppender(lines);
        }
    }

    @Test
    void shouldLogAStormOfOutOfBalanceSettlementsInAFewLinesAndCountEveryOne() throws Exception {
        Logger log = (Logger) LoggerFactory.getLogger(Batches.class);
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        log.addAppender(lines);
        try {
            double before = rig.counted("switch_settlements", "result", "out_of_balance");
            int settlements = 300;
            for (int i = 0; i < settlements; i++) { // empty batches claimed with totals: each out of balance
                assertEquals("00", settle(String.format("7%05d", i), totals(100, 1, 0, 0)).getString(39));
            }
            assertEquals(before + settlements, rig.counted("switch_settlements", "result", "out_of_balance"));
            long logged = lines.list.stream().filter(e -> e.getFormattedMessage().startsWith("settlement of batch")).count();
            assertTrue(logged <= 2, logged + " lines for " + settlements + " settlements (one a 10 s interval at most)");
        } finally {
            log.detachAppender(lines);
        }
    }

    private ISOMsg upload(String batch, String lines) throws Exception {
        ISOMsg upload = new ISOMsg("0320");
        upload.set(7, TransmissionTime.now());
        upload.set(11, stan());
        upload.set(41, TID);
        upload.set(42, MID);
        upload.set(48, lines);
        return send(upload, "00", batch + "201");
    }

    private static String line(String stan, long amount, boolean credit) {
        return stan + String.format("%012d", amount) + (credit ? "20" : "00");
    }

    /**
     * {@code recon settlements} over the journal: a batch settled in balance and then changed (a
     * sale reversed by the terminal after the settlement), a batch out of balance with its upload,
     * and a batch that agrees, which must not be reported.
     */
    @Test
    void shouldReportEverySettlementDifferenceAndNothingElse() throws Exception {
        ISOMsg a = sale(100, "000011");
        ISOMsg b = sale(200, "000011");
        ISOMsg c = sale(300, "000011");
        assertEquals("00", send(TerminalMessages.voidOf(PAN, 200, b.getString(37), b.getString(38), stan(), TID, MID),
                "23", "000011").getString(39));
        assertEquals("00", send(TerminalMessages.refundOf(PAN, 50, c.getString(37), stan(), TID, MID), "25", "000011")
                .getString(39));
        assertEquals("1", settle("000011", totals(400, 2, 50, 1)).getString(48).substring(30, 31));
        ISOMsg reversal = TerminalMessages.sale(PAN, 100, a.getString(11), TID, MID);
        reversal.set(0, "0400");
        assertEquals("00", send(reversal, "22", "000011").getString(39), "a reversal is honoured after settlement");

        ISOMsg d = sale(100, "000012");
        sale(200, "000012");
        assertEquals("2", settle("000012", totals(350, 3, 0, 0)).getString(48).substring(30, 31));
        String unknown = stan();
        assertEquals("00", upload("000012", "03" + line(d.getString(11), 100, false) + line(unknown, 250, false)
                + line("999999", 0, true)).getString(39));

        Instant third = Instant.now();
        sale(500, "000013");
        assertEquals("1", settle("000013", totals(500, 1, 0, 0)).getString(48).substring(30, 31));

        rig.await("sale reversed at the issuer", () -> rig.ledger(a.getString(37)).map(LedgerEntry::reversed).orElse(false),
                Duration.ofSeconds(10));
        Journals.awaitTimeline(rig, a.getString(37), tl -> tl.transaction().state().equals("REVERSED"));
        Journals.awaitCaughtUp(rig);

        String[] all = recon("settlements");
        assertEquals("1", all[0], all[2]);
        List<String> rows = all[1].lines().skip(1).toList();
        assertEquals(5, rows.size(), all[1]);
        assertEquals(1, rows.stream().filter(r -> r.startsWith("CHANGED_AFTER_SETTLEMENT,TERM0042,MERCHANT0000042,000011,")
                && r.contains(",400,1,300,1,50,") && r.contains(a.getString(37) + " REVERSED (terminal reversal)")).count(), all[1]);
        assertEquals(1, rows.stream().filter(r -> r.startsWith("OUT_OF_BALANCE,TERM0042,MERCHANT0000042,000012,")
                && r.contains("terminal debits 3 = 350, credits 0 = 0; switch debits 2 = 300, credits 0 = 0")).count(), all[1]);
        List<String> uploads = rows.stream().filter(r -> r.startsWith("UPLOAD_DIFFERENCE,TERM0042,MERCHANT0000042,000012,"))
                .toList();
        assertEquals(3, uploads.size(), all[1]);
        assertTrue(uploads.stream().anyMatch(r -> r.contains("stan " + unknown + ": in the terminal's batch (250)")), all[1]);
        assertTrue(uploads.stream().anyMatch(r -> r.contains("stan 999999")), all[1]);
        assertTrue(all[2].contains("settlements: 3 (2 in balance, 1 out of balance), batch uploads: 1"), all[2]);

        String[] lastOnly = recon("settlements", "--from", third.toString());
        assertEquals("0", lastOnly[0], lastOnly[1] + lastOnly[2]);
        assertEquals(1, lastOnly[1].lines().count(), "the header only: " + lastOnly[1]);
    }

    /**
     * Terminals reuse batch numbers (60.2 wraps at 999999, or restarts at 1 after a reset): once
     * retention has removed every record of a settled batch, the number is open again, and its
     * new transactions can be voided.
     */
    @Test
    void shouldReopenABatchNumberOnceRetentionRemovedItsRecords() throws Exception {
        t.close();
        rig.close(); // this test needs short retention: a rig of its own (closed by RigTest)
        rig = Rig.start(400, yaml -> yaml.replace("store: {expectedEntries: 20000}",
                "store: {expectedEntries: 20000, retention: 300ms}\ntransactions: {refundWindow: 300ms}"));
        t = rig.terminal();
        ISOMsg old = sale(100, "000009");
        assertEquals("1", settle("000009", totals(100, 1, 0, 0)).getString(48).substring(30, 31));
        assertEquals("25", send(TerminalMessages.voidOf(PAN, 100, old.getString(37), old.getString(38), stan(), TID, MID),
                "23", "000009").getString(39), "the batch is settled");
        rig.await("the settled batch's records purged", () -> rig.counted("switch_store_records_purged") >= 3,
                Duration.ofSeconds(10));

        ISOMsg again = sale(700, "000009");
        ISOMsg v = send(TerminalMessages.voidOf(PAN, 700, again.getString(37), again.getString(38), stan(), TID, MID),
                "23", "000009");
        assertEquals("00", v.getString(39), "batch 000009 is a new batch now, not the settled one");
    }

    @Test
    void shouldAnswer30ForSettlementWithoutTotals() throws Exception {
        assertEquals("30", settle("000003", "garbage").getString(39));
    }
}
