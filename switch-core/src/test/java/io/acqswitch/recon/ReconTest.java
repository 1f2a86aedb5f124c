package io.acqswitch.recon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.acqswitch.cli.Main;
import io.acqswitch.sim.LedgerEntry;
import io.acqswitch.sim.StubRules;
import io.acqswitch.sim.TerminalClient;
import io.acqswitch.support.Journals;
import io.acqswitch.support.Rig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/**
 * {@code recon} over a real run: approvals and a timeout reversal through the switch, then the
 * journal against the stub's ledger export, untouched and tampered with.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS) // a hung socket fails the test instead of the build
class ReconTest {
    private static Rig rig;
    private static final List<String> APPROVED = new ArrayList<>();
    private static String reversed;
    private static String ledgerCsv;

    @BeforeAll
    static void start() throws Exception {
        rig = Rig.start(400);
        try (TerminalClient t = rig.terminal()) {
            for (int i = 0; i < 4; i++) {
                ISOMsg answer = t.exchange(Journals.sale(700 + i));
                assertEquals("00", answer.getString(39));
                APPROVED.add(answer.getString(37));
            }
            rig.stub.setRules(StubRules.builder().withholdRatio(1.0).build());
            ISOMsg answer = t.exchange(Journals.sale(799));
            assertEquals("68", answer.getString(39));
            reversed = answer.getString(37);
        }
        rig.await("reversal applied", () -> rig.ledger(reversed).map(LedgerEntry::reversed).orElse(false),
                Duration.ofSeconds(10));
        rig.await("journal settled", () -> {
            try {
                var q = Journals.queries(rig);
                return q.timeline(reversed).map(tl -> tl.transaction().state().equals("REVERSED")).orElse(false)
                        && q.timeline(APPROVED.getLast()).map(tl -> tl.transaction().delivered()).orElse(false);
            } catch (SQLException e) {
                return false;
            }
        }, Duration.ofSeconds(10));
        Journals.awaitCaughtUp(rig);
        ledgerCsv = rig.stub.ledger().toCsv();
    }

    @AfterAll
    static void stop() {
        rig.close();
    }

    private static String[] recon(String csv) throws Exception {
        Path ledger = Files.createTempFile("ledger", ".csv");
        Files.writeString(ledger, csv);
        Path out = Files.createTempFile("recon", ".csv");
        StringWriter so = new StringWriter();
        StringWriter se = new StringWriter();
        CommandLine cli = new CommandLine(Main.class);
        cli.setOut(new PrintWriter(so));
        cli.setErr(new PrintWriter(se));
        int code = cli.execute("recon", "--journal-url", rig.node.journal().db().url(), "--journal-user", "sa",
                "--ledger", ledger.toString(), "--out", out.toString());
        return new String[] {String.valueOf(code), so.toString(), se.toString(), Files.readString(out)};
    }

    @Test
    void shouldAgreeOnACleanRun() throws Exception {
        String[] r = recon(ledgerCsv);
        assertEquals("0", r[0], r[1] + r[2] + r[3]);
        assertTrue(r[1].contains("the books agree"), r[1]);
        assertTrue(r[1].contains("4 approved and delivered, net debit " + (700 + 701 + 702 + 703)), r[1]);
        assertEquals(Reconciliation.Report.CSV_HEADER, r[3].strip());
    }

    @Test
    void shouldReportEveryDifferenceInATamperedLedger() throws Exception {
        List<String> lines = new ArrayList<>(List.of(ledgerCsv.split("\r\n")));
        String a = line(lines, APPROVED.get(0));
        String b = line(lines, APPROVED.get(1));
        String c = line(lines, APPROVED.get(2));
        String d = line(lines, APPROVED.get(3));
        String rev = line(lines, reversed);
        lines.set(lines.indexOf(a), a.replace(",700,", ",7000,"));          // amount edited
        lines.remove(b);                                                    // row dropped
        lines.add(c);                                                       // row twice
        lines.set(lines.indexOf(d), d.replace(",false,1,", ",true,1,").replace(",false,0,", ",true,0,")); // reversed at issuer only
        lines.set(lines.indexOf(rev), rev.replace(",true,1,", ",false,1,")); // issuer kept the timed-out debit
        lines.add("999999999999,000001,TERM0001,0200,000000,476173******0010,4242,978,DEBIT,00,123456,false,false,0,0,"
                + "2026-01-01T00:00:00Z,");                                 // debit the switch never approved
        String[] r = recon(String.join("\r\n", lines) + "\r\n");
        assertEquals("1", r[0], r[1] + r[2]);
        String diff = r[3];
        assertTrue(diff.contains("AMOUNT_MISMATCH," + APPROVED.get(0) + ",APPROVED,700,7000"), diff);
        assertTrue(diff.contains("MISSING_AT_ISSUER," + APPROVED.get(1)), diff);
        assertTrue(diff.contains("DUPLICATE," + APPROVED.get(2)), diff);
        assertTrue(diff.contains("REVERSED_AT_ISSUER_ONLY," + APPROVED.get(3)), diff);
        assertTrue(diff.contains("REVERSED_AT_SWITCH_ONLY," + reversed + ",REVERSED"), diff);
        assertTrue(diff.contains("ORPHAN_DEBIT,999999999999,,,4242"), diff);
        assertEquals(7, diff.strip().split("\r\n").length, diff);
        assertTrue(r[1].contains("6 difference(s)"), r[1]);
    }

    private static String line(List<String> lines, String rrn) {
        return lines.stream().filter(l -> l.startsWith(rrn + ",")).findFirst().orElseThrow(() -> new AssertionError(rrn));
    }
}
