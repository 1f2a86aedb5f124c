package io.acqswitch.txn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.acqswitch.sim.TerminalMessages;
import io.acqswitch.support.RigTest;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.Test;

/**
 * Terminal batch settlement (0500) and batch upload (0320) with UnionPay field 48 totals and field
 * 60.2 batches, sent here in iso87 framing (fields 48 and 60 are LLLVAR there).
 */
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
        m.set(7, io.acqswitch.iso.TransmissionTime.now());
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
        ISOMsg upload = new ISOMsg("0320");
        upload.set(7, io.acqswitch.iso.TransmissionTime.now());
        upload.set(11, stan());
        upload.set(41, TID);
        upload.set(42, MID);
        upload.set(48, lines);
        ISOMsg uploaded = send(upload, "00", "000002201");
        assertEquals("0330", uploaded.getMTI());
        assertEquals("00", uploaded.getString(39));
        assertEquals(1.0, rig.counted("switch_batch_uploads", "result", "differs"));
        assertTrue(rig.counted("switch_settlements", "result", "out_of_balance") == 1.0);
    }

    @Test
    void shouldAnswer30ForSettlementWithoutTotals() throws Exception {
        assertEquals("30", settle("000003", "garbage").getString(39));
    }
}
