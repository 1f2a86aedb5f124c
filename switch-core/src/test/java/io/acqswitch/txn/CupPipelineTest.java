package io.acqswitch.txn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.acqswitch.iso.Dialect;
import io.acqswitch.iso.IsoCodec;
import io.acqswitch.sim.IssuerStub;
import io.acqswitch.sim.LedgerEntry;
import io.acqswitch.sim.StubRules;
import io.acqswitch.sim.TerminalClient;
import io.acqswitch.support.Hex;
import io.acqswitch.support.Rig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * UnionPay terminals end to end: cup on the terminal side, iso87 to the issuer stub, whose ledger
 * judges the money.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS) // a hung socket fails the test instead of the build
class CupPipelineTest {
    private static final IsoCodec CUP = IsoCodec.of(Dialect.CUP);
    private static final String PAN = "6212142000000000012";
    private static final String HEADER = "6000060000" + "603100320072";
    private static final String ANSWER_HEADER = "6000000006" + "603100320072";
    private static final String BATCH = "000001";
    private static final AtomicInteger STAN = new AtomicInteger(2000);
    private Rig rig;

    @BeforeEach
    void start() throws Exception {
        Path dataDir = Files.createTempDirectory("cup-rig");
        IssuerStub stub = new IssuerStub("stub", "127.0.0.1", 0, StubRules.approveAll()).start();
        List<String> hosts = List.of("127.0.0.1:" + stub.port());
        String yaml = Rig.yaml(hosts, 400, dataDir).replace("listeners: [{port: 0, idleTimeout: 60s}]",
                "listeners: [{port: 0, idleTimeout: 60s, dialect: cup}]");
        rig = Rig.start(stub, hosts, yaml, dataDir);
    }

    @AfterEach
    void stop() {
        rig.close();
        rig.stub.close();
    }

    private TerminalClient terminal() throws Exception {
        return new TerminalClient("127.0.0.1", rig.node.terminalPort(0), CUP, Duration.ofSeconds(10));
    }

    private static String stan() {
        return String.format("%06d", STAN.incrementAndGet());
    }

    /** A contact-chip sale with PIN and MAC, as a UnionPay terminal sends it (60.1 = 22). */
    private static ISOMsg sale(String stan, long amount) {
        ISOMsg m = new ISOMsg("0200");
        m.setHeader(Hex.bytes(HEADER));
        m.set(2, PAN);
        m.set(3, "000000");
        m.set(4, String.format("%012d", amount));
        m.set(11, stan);
        m.set(14, "2912");
        m.set(22, "051");
        m.set(23, "000");
        m.set(25, "00");
        m.set(26, "12");
        m.set(35, PAN + "=29122011234500000");
        m.set(41, "10000147");
        m.set(42, "801000949000001");
        m.set(49, "156");
        m.set(52, Hex.bytes("086BDB118D7AC25E"));
        m.set(53, "2600000000000000");
        m.set(55, Hex.bytes("950508800470009F1E0838383434373034369F101307010103A02010010A0100000500004707A18D"));
        m.set(60, "22" + BATCH + "000600");
        m.set(64, Hex.bytes("4543454234394139"));
        return m;
    }

    private void awaitReversed(String rrn) throws InterruptedException {
        rig.await("ledger debit " + rrn + " reversed",
                () -> rig.ledger(rrn).map(LedgerEntry::reversed).orElse(false), Duration.ofSeconds(10));
    }

    @Test
    void shouldApproveCupSaleThroughTheIso87LegAndDebitOnce() throws Exception {
        try (TerminalClient t = terminal()) {
            String s = stan();
            ISOMsg a = t.exchange(sale(s, 111));
            assertEquals(ANSWER_HEADER, Hex.of(a.getHeader()), "TPDU swapped, header as sent");
            assertEquals("0210", a.getMTI());
            assertEquals("00", a.getString(39));
            assertEquals(s, a.getString(11));
            assertEquals("22" + BATCH + "000600", a.getString(60));
            assertEquals(12, a.getString(37).length());
            assertTrue(a.hasField(38));
            assertFalse(a.hasField(35) || a.hasField(52) || a.hasField(55), "no card secrets in the answer");
            LedgerEntry debit = rig.ledger(a.getString(37)).orElseThrow();
            assertEquals(111, debit.amount());
            assertEquals("156", debit.currency());
            assertEquals("0200", debit.mti());
            assertFalse(debit.reversed());
            assertEquals(1, rig.stub.ledger().summary().debitsApproved());
        }
    }

    @Test
    void shouldReverseTheSaleAtTheIssuerWhenTheTerminalVoidsIt() throws Exception {
        try (TerminalClient t = terminal()) {
            String s = stan();
            ISOMsg sale = t.exchange(sale(s, 222));
            assertEquals("00", sale.getString(39));
            ISOMsg v = sale(stan(), 222);
            v.set(3, "200000");
            v.set(37, sale.getString(37));
            v.set(38, sale.getString(38));
            v.set(60, "23" + BATCH + "000600");
            v.set(61, BATCH + s);
            ISOMsg a = t.exchange(v);
            assertEquals("0210", a.getMTI());
            assertEquals("00", a.getString(39));
            assertEquals(ANSWER_HEADER, Hex.of(a.getHeader()));
            awaitReversed(sale.getString(37));
        }
    }

    @Test
    void shouldAnswer98AndReverseWhenTheIssuerTimesOut() throws Exception {
        rig.stub.setRules(StubRules.builder().withholdRatio(1.0).build());
        try (TerminalClient t = terminal()) {
            ISOMsg a = t.exchange(sale(stan(), 333));
            assertEquals("0210", a.getMTI());
            assertEquals("98", a.getString(39), "UnionPay's issuer-timeout code, not 68");
            assertEquals(ANSWER_HEADER, Hex.of(a.getHeader()));
            String rrn = a.getString(37);
            rig.assertReversedOnce(rrn);
        }
    }

    @Test
    void shouldReverseOnTerminalReversalWithTheSameStan() throws Exception {
        try (TerminalClient t = terminal()) {
            String s = stan();
            ISOMsg sale = sale(s, 444);
            ISOMsg approved = t.exchange(sale);
            assertEquals("00", approved.getString(39));
            ISOMsg reversal = (ISOMsg) sale.clone();
            reversal.set(0, "0400");
            reversal.set(39, "98");
            ISOMsg a = t.exchange(reversal);
            assertEquals("0410", a.getMTI());
            assertEquals("00", a.getString(39));
            assertEquals(ANSWER_HEADER, Hex.of(a.getHeader()));
            awaitReversed(approved.getString(37));
        }
    }

    @Test
    void shouldReplayTheAnswerToARepeatInTheSameBatch() throws Exception {
        try (TerminalClient t = terminal()) {
            ISOMsg sale = sale(stan(), 555);
            t.send(sale);
            byte[] first = t.receiveFrame();
            t.send(sale);
            byte[] second = t.receiveFrame();
            assertEquals(Hex.of(first), Hex.of(second));
        }
        assertEquals(1, rig.stub.ledger().summary().debitsApproved());
    }
}
