package io.acqswitch.txn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.acqswitch.iso.Dialect;
import io.acqswitch.iso.IsoCodec;
import io.acqswitch.sim.IssuerStub;
import io.acqswitch.sim.LedgerEntry;
import io.acqswitch.sim.StubRules;
import io.acqswitch.sim.TerminalClient;
import io.acqswitch.support.Hex;
import io.acqswitch.support.Rig;
import io.acqswitch.support.TempFiles;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two days of a UnionPay terminal, in the cup dialect, against the issuer stub's ledger: sign-on,
 * sales, a void, an issuer timeout and the terminal's reversal, a duplicate, settlement in balance;
 * then a day that settles out of balance and uploads its batch.
 */
@Timeout(value = 900, unit = TimeUnit.SECONDS) // a hung socket fails the test instead of the build
class UnionPayDayTest {
    private static final IsoCodec CUP = IsoCodec.of(Dialect.CUP);
    private static final String HEADER = "6000060000" + "603100320072";
    private static final String PAN = "6212142000000000012";
    private static final String TID = "10000147";
    private static final String MID = "801000949000001";
    private final AtomicInteger stan = new AtomicInteger(100);

    private String stan() {
        return String.format("%06d", stan.incrementAndGet());
    }

    private static ISOMsg base(String mti, String stan, String field60) {
        ISOMsg m = new ISOMsg(mti);
        m.setHeader(Hex.bytes(HEADER));
        m.set(11, stan);
        m.set(41, TID);
        m.set(42, MID);
        m.set(60, field60);
        return m;
    }

    private static ISOMsg sale(String stan, long amount, String batch) {
        ISOMsg m = base("0200", stan, "22" + batch + "000600");
        m.set(2, PAN);
        m.set(3, "000000");
        m.set(4, String.format("%012d", amount));
        m.set(22, "051");
        m.set(25, "00");
        m.set(49, "156");
        return m;
    }

    private static String totals(long debit, int debits) {
        return String.format("%012d%03d%012d%03d0", debit, debits, 0, 0) + "0".repeat(31);
    }

    private ISOMsg settle(TerminalClient t, String batch, String totals) throws Exception {
        ISOMsg m = base("0500", stan(), "00" + batch + "201");
        m.set(48, totals);
        return t.exchange(m);
    }

    private ISOMsg signOn(TerminalClient t, String batch) throws Exception {
        ISOMsg a = t.exchange(base("0800", stan(), "00" + batch + "003"));
        assertEquals("0810", a.getMTI());
        assertEquals("00", a.getString(39));
        return a;
    }

    @Test
    void shouldRefundAndCompleteAPreAuthorizationInTheCupDialect() throws Exception {
        try (IssuerStub stub = new IssuerStub("stub", "127.0.0.1", 0, StubRules.approveAll()).start()) {
            var data = TempFiles.newDir("rig");
            List<String> hosts = List.of("127.0.0.1:" + stub.port());
            String yaml = Rig.yaml(hosts, 400, data).replace("listeners: [{port: 0, idleTimeout: 60s}]",
                    "listeners: [{port: 0, idleTimeout: 60s, dialect: cup}]");
            try (Rig rig = Rig.start(stub, hosts, yaml, data);
                 TerminalClient t = new TerminalClient("127.0.0.1", rig.node.terminalPort(0), CUP, Duration.ofSeconds(10))) {
                signOn(t, "000003");
                ISOMsg sale = t.exchange(sale(stan(), 500, "000003"));
                ISOMsg refund = sale(stan(), 200, "000003"); // 退货: 0220, 20xxxx, 60.1 = 25
                refund.set(0, "0220");
                refund.set(3, "200000");
                refund.set(37, sale.getString(37));
                refund.set(60, "25000003000600");
                ISOMsg refunded = t.exchange(refund);
                assertEquals("0230", refunded.getMTI());
                assertEquals("00", refunded.getString(39));
                assertEquals(300, stub.ledger().summary().netDebited(), "500 debited, 200 credited");

                ISOMsg preAuth = sale(stan(), 1000, "000003"); // 预授权: 0100, 03xxxx, 25 = 06, 60.1 = 10
                preAuth.set(0, "0100");
                preAuth.set(3, "030000");
                preAuth.set(25, "06");
                preAuth.set(60, "10000003000600");
                ISOMsg held = t.exchange(preAuth);
                assertEquals("0110", held.getMTI());
                assertEquals("00", held.getString(39));
                ISOMsg completion = sale(stan(), 1100, "000003"); // 预授权完成: 0200, 00xxxx, 25 = 06, 60.1 = 20
                completion.set(25, "06");
                completion.set(37, held.getString(37));
                completion.set(38, held.getString(38));
                completion.set(60, "20000003000600");
                ISOMsg completed = t.exchange(completion);
                assertEquals("00", completed.getString(39));
                assertEquals(300 + 1100, stub.ledger().summary().netDebited(), "the hold captured at the completed amount");
            }
        }
    }

    @Test
    void shouldRunTwoTerminalDaysWithTheLedgerAgreeing() throws Exception {
        try (IssuerStub stub = new IssuerStub("stub", "127.0.0.1", 0, StubRules.approveAll()).start()) {
            var data = TempFiles.newDir("rig");
            List<String> hosts = List.of("127.0.0.1:" + stub.port());
            String yaml = Rig.yaml(hosts, 400, data).replace("listeners: [{port: 0, idleTimeout: 60s}]",
                    "listeners: [{port: 0, idleTimeout: 60s, dialect: cup}]");
            try (Rig rig = Rig.start(stub, hosts, yaml, data);
                 TerminalClient t = new TerminalClient("127.0.0.1", rig.node.terminalPort(0), CUP, Duration.ofSeconds(10))) {
                // day 1, batch 000001
                signOn(t, "000001");
                ISOMsg s1msg = sale(stan(), 100, "000001");
                t.send(s1msg);
                byte[] s1bytes = t.receiveFrame();
                ISOMsg s2 = t.exchange(sale(stan(), 200, "000001"));
                ISOMsg s3 = t.exchange(sale(stan(), 300, "000001"));
                assertEquals("00", s2.getString(39));
                assertEquals("00", s3.getString(39));

                ISOMsg voidMsg = sale(stan(), 200, "000001");
                voidMsg.set(3, "200000");
                voidMsg.set(37, s2.getString(37));
                voidMsg.set(38, s2.getString(38));
                voidMsg.set(60, "23000001000600");
                assertEquals("00", t.exchange(voidMsg).getString(39), "void approved");

                stub.setRules(StubRules.builder().withholdRatio(1.0).build());
                ISOMsg s4msg = sale(stan(), 400, "000001");
                ISOMsg s4 = t.exchange(s4msg);
                assertEquals("98", s4.getString(39), "UnionPay issuer timeout");
                stub.setRules(StubRules.approveAll());
                ISOMsg reversal = (ISOMsg) s4msg.clone();
                reversal.set(0, "0400");
                reversal.set(39, "98");
                ISOMsg rev = t.exchange(reversal);
                assertEquals("0410", rev.getMTI());
                assertEquals("00", rev.getString(39));

                t.send(s1msg); // the terminal repeats its first sale: replayed, not re-debited
                assertArrayEquals(s1bytes, t.receiveFrame());

                ISOMsg settled = settle(t, "000001", totals(400, 2));
                assertEquals("0510", settled.getMTI());
                assertEquals("00", settled.getString(39));
                assertEquals(totals(400, 2).substring(0, 30) + "1", settled.getString(48).substring(0, 31), "in balance");

                rig.await("the void and the timeout reversed at the issuer",
                        () -> rig.ledger(s2.getString(37)).map(LedgerEntry::reversed).orElse(false)
                                && rig.ledger(s4.getString(37)).map(LedgerEntry::reversed).orElse(false),
                        Duration.ofSeconds(10));
                assertEquals(400, stub.ledger().summary().netDebited(), "day 1: 100 + 300 debited");

                // day 2, batch 000002: the terminal missed an answer and claims three sales
                signOn(t, "000002");
                ISOMsg d1 = t.exchange(sale(stan(), 150, "000002"));
                t.exchange(sale(stan(), 250, "000002"));
                ISOMsg out = settle(t, "000002", totals(550, 3));
                assertEquals(totals(400, 2).substring(0, 30) + "2", out.getString(48).substring(0, 31),
                        "out of balance, with the switch's totals");
                ISOMsg upload = base("0320", stan(), "00000002201");
                upload.set(48, "02" + d1.getString(11) + String.format("%012d", 150) + "00"
                        + "999999" + String.format("%012d", 150) + "00");
                ISOMsg uploaded = t.exchange(upload);
                assertEquals("0330", uploaded.getMTI());
                assertEquals("00", uploaded.getString(39));
                assertEquals(1.0, rig.counted("switch_batch_uploads", "result", "differs"));
                assertEquals(800, stub.ledger().summary().netDebited(), "day 2 adds 150 + 250");
            }
        }
    }
}
