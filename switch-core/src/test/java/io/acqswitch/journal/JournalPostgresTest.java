package io.acqswitch.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.acqswitch.sim.LedgerEntry;
import io.acqswitch.sim.StubRules;
import io.acqswitch.sim.TerminalClient;
import io.acqswitch.support.Http;
import io.acqswitch.support.Journals;
import io.acqswitch.support.RigTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The journal on a real PostgreSQL server: {@code .ci/run} starts a throwaway cluster and exports
 * {@code JOURNAL_PG_URL}, {@code JOURNAL_PG_USER}, {@code JOURNAL_PG_PASSWORD} (and
 * {@code JOURNAL_PG_STOP} / {@code JOURNAL_PG_START}, shell commands for the outage test). Without
 * {@code JOURNAL_PG_URL} the tests are skipped. Each test writes to its own schema. The journal
 * tests of the embedded database also run here through their {@code *PostgresTest} subclasses.
 */
@Tag("postgres")
@Timeout(value = 300, unit = TimeUnit.SECONDS) // a hung socket fails the test instead of the build
class JournalPostgresTest extends RigTest {
    @Override
    protected boolean onPostgres() {
        return true;
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
            rig.stub.setRules(StubRules.builder().withholdRatio(1.0).build());
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
        var rsp = Http.get(rig.node.httpPort(), "/ops/transactions/" + approved.getFirst(), null);
        assertEquals(200, rsp.statusCode(), rsp.body());
        assertTrue(rsp.body().contains("\"state\":\"FORWARDED\""), rsp.body());

        String[] r = reconLedger();
        assertEquals("0", r[0], r[1] + r[2]);
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
