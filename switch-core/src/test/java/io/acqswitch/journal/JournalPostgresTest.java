package io.acqswitch.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.acqswitch.cli.Main;
import io.acqswitch.sim.IssuerStub;
import io.acqswitch.sim.LedgerEntry;
import io.acqswitch.sim.StubRules;
import io.acqswitch.sim.TerminalClient;
import io.acqswitch.support.Journals;
import io.acqswitch.support.Rig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The journal on a real PostgreSQL server: {@code .ci/run} starts a throwaway cluster and exports
 * {@code JOURNAL_PG_URL}, {@code JOURNAL_PG_USER}, {@code JOURNAL_PG_PASSWORD} (and
 * {@code JOURNAL_PG_STOP} / {@code JOURNAL_PG_START}, shell commands for the outage test). Without
 * {@code JOURNAL_PG_URL} the tests are skipped. Each test writes to its own schema.
 */
@Tag("postgres")
class JournalPostgresTest {
    private static final String URL = System.getenv("JOURNAL_PG_URL");
    private static final String USER = env("JOURNAL_PG_USER");
    private static final String PASSWORD = env("JOURNAL_PG_PASSWORD");
    private Rig rig;
    private IssuerStub stubToClose;
    private String schema;
    private String url;

    private static String env(String name) {
        String v = System.getenv(name);
        return v == null ? "" : v;
    }

    @BeforeEach
    void start() throws Exception {
        Assumptions.assumeTrue(URL != null && !URL.isBlank(),
                "JOURNAL_PG_URL is not set: no PostgreSQL to test against (.ci/run starts one when it can)");
        schema = "journal_test_" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1);
        try (Connection c = DriverManager.getConnection(URL, USER, PASSWORD); Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA " + schema);
        }
        url = URL + (URL.contains("?") ? "&" : "?") + "currentSchema=" + schema;
        Path dir = Files.createTempDirectory("rig-pg");
        IssuerStub stub = new IssuerStub("stub", "127.0.0.1", 0, StubRules.approveAll()).start();
        stubToClose = stub;
        List<String> hosts = List.of("127.0.0.1:" + stub.port());
        String yaml = Rig.yaml(hosts, 400, dir) + """
                journal:
                  url: "%s"
                  user: "%s"
                  password: "%s"
                  retryMin: 50ms
                  retryMax: 500ms
                """.formatted(url, USER, PASSWORD);
        rig = Rig.start(stub, hosts, yaml, dir);
    }

    @AfterEach
    void stop() throws Exception {
        if (rig != null) {
            rig.close();
        }
        if (stubToClose != null) {
            stubToClose.close();
        }
        if (schema != null && URL != null) {
            try (Connection c = DriverManager.getConnection(URL, USER, PASSWORD); Statement st = c.createStatement()) {
                st.execute("DROP SCHEMA " + schema + " CASCADE");
            }
        }
    }

    @Test
    void shouldJournalToPostgresQueryAndReconcile() throws Exception {
        assertTrue(rig.node.journal().db().url().startsWith("jdbc:postgresql:"));
        List<String> approved = new ArrayList<>();
        String reversed;
        try (TerminalClient t = rig.terminal()) {
            for (int i = 0; i < 3; i++) {
                ISOMsg answer = t.exchange(Journals.sale(1000 + i));
                assertEquals("00", answer.getString(39));
                approved.add(answer.getString(37));
            }
            rig.stub.setRules(new StubRules(null, null, null, null, null, null, 1.0, null, null, null, null));
            reversed = t.exchange(Journals.sale(1999)).getString(37);
        }
        rig.await("reversal applied", () -> rig.ledger(reversed).map(LedgerEntry::reversed).orElse(false),
                Duration.ofSeconds(10));
        var tl = Journals.awaitTimeline(rig, reversed, x -> x.transaction().state().equals("REVERSED"));
        assertEquals("FORWARDED", Journals.states(tl).getFirst());
        assertEquals("REVERSED", Journals.states(tl).getLast());
        Journals.awaitTimeline(rig, approved.getLast(), x -> x.transaction().delivered());
        Journals.awaitCaughtUp(rig);

        var page = Journals.queries(rig).find(new JournalQueries.Filter(null, "TERM0001", null, null, "4761730010", null,
                null, "00", "APPROVED", null, 10, 0));
        assertEquals(3, page.items().size());
        var rsp = OpsApiTest.get(rig.node.httpPort(), "/ops/transactions/" + approved.getFirst(), null);
        assertEquals(200, rsp.statusCode(), rsp.body());
        assertTrue(rsp.body().contains("\"state\":\"FORWARDED\""), rsp.body());

        Path ledger = Files.createTempFile("ledger", ".csv");
        Files.writeString(ledger, rig.stub.ledger().toCsv());
        StringWriter out = new StringWriter();
        CommandLine cli = new CommandLine(Main.class);
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(out));
        int code = cli.execute("recon", "--journal-url", url, "--journal-user", USER, "--journal-password", PASSWORD,
                "--ledger", ledger.toString(), "--out", Files.createTempFile("recon", ".csv").toString());
        assertEquals(0, code, out.toString());
    }

    @Test
    void shouldCatchUpAfterPostgresIsStoppedAndStarted() throws Exception {
        String stop = System.getenv("JOURNAL_PG_STOP");
        String start = System.getenv("JOURNAL_PG_START");
        Assumptions.assumeTrue(stop != null && start != null, "JOURNAL_PG_STOP/START not set: cannot stop the server");
        try (TerminalClient t = rig.terminal()) {
            assertEquals("00", t.exchange(Journals.sale(1)).getString(39));
        }
        Journals.awaitCaughtUp(rig);
        List<String> rrns = new ArrayList<>();
        try {
            sh(stop);
            try (TerminalClient t = rig.terminal()) {
                for (int i = 0; i < 5; i++) {
                    ISOMsg answer = t.exchange(Journals.sale(300 + i));
                    assertEquals("00", answer.getString(39), "the switch carries on while PostgreSQL is down");
                    rrns.add(answer.getString(37));
                }
            }
            rig.await("journal notices the outage", () -> !rig.node.journal().isUp(), Duration.ofSeconds(10));
            assertTrue(rig.counted("switch_journal_batch_failures") >= 1);
            assertTrue(rig.node.journal().backlog() > 0);
        } finally {
            sh(start);
        }
        Journals.awaitCaughtUp(rig);
        for (String rrn : rrns) {
            var tl = Journals.awaitTimeline(rig, rrn, x -> x.transaction().delivered());
            assertEquals("APPROVED", tl.transaction().state());
            assertFalse(tl.events().isEmpty());
        }
    }

    private static void sh(String command) throws Exception {
        Process p = new ProcessBuilder("bash", "-c", command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), command + ": " + output);
    }
}
