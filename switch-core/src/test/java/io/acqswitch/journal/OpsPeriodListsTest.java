package io.acqswitch.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.acqswitch.sim.LedgerEntry;
import io.acqswitch.sim.StubRules;
import io.acqswitch.sim.TerminalClient;
import io.acqswitch.support.Http;
import io.acqswitch.support.Cli;
import io.acqswitch.support.Journals;
import io.acqswitch.support.Rig;
import io.acqswitch.txn.ReversalReasons;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The period listings of the operations API: duplicates and undeliverable approvals, from a run
 * with one of each beside a plain sale and an issuer timeout (which must appear in neither).
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS) // a hung socket fails the test instead of the build
class OpsPeriodListsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Rig rig;
    private static String plain;
    private static String repeated;
    private static String undelivered;
    private static String timedOut;
    private static Instant start;

    @BeforeAll
    static void run() throws Exception {
        start = Instant.now();
        rig = Rig.start(400);
        try (TerminalClient t = rig.terminal()) {
            plain = t.exchange(Journals.sale(700)).getString(37);
            ISOMsg sale = Journals.sale(701);
            repeated = t.exchange(sale).getString(37);
            for (int i = 0; i < 2; i++) {
                ISOMsg again = t.exchange(sale);
                assertEquals(repeated, again.getString(37), "a repeat is answered from the record");
                assertEquals("00", again.getString(39));
            }
            rig.stub.setRules(StubRules.builder().withholdRatio(1.0).build());
            ISOMsg timeout = t.exchange(Journals.sale(702));
            assertEquals("68", timeout.getString(39));
            timedOut = timeout.getString(37);
        }
        rig.stub.setRules(StubRules.builder().latencyMs(300L).build());
        try (TerminalClient t = rig.terminal()) {
            t.send(Journals.sale(703));
        } // gone before the approval comes back
        rig.await("undeliverable approval reversed at the issuer", () -> rig.stub.ledger().entries().stream()
                .anyMatch(e -> e.amount() == 703 && e.reversed()), Duration.ofSeconds(10));
        undelivered = rig.stub.ledger().entries().stream().filter(e -> e.amount() == 703).findFirst()
                .map(LedgerEntry::rrn).orElseThrow();
        for (String rrn : List.of(repeated, undelivered, timedOut)) {
            Journals.awaitTimeline(rig, rrn, tl -> tl.transaction().state().equals("REVERSED")
                    || tl.transaction().duplicates() == 2);
        }
        Journals.awaitCaughtUp(rig);
    }

    @AfterAll
    static void stop() {
        rig.close();
    }

    private static JsonNode ok(String path) throws Exception {
        HttpResponse<String> rsp = Http.get(rig.node.httpPort(), path, null);
        assertEquals(200, rsp.statusCode(), rsp.body());
        return JSON.readTree(rsp.body());
    }

    private static List<String> rrns(JsonNode page) {
        List<String> out = new ArrayList<>();
        page.path("items").forEach(t -> out.add(t.path("rrn").asText()));
        return out;
    }

    @Test
    void shouldListOnlyTheTransactionSentMoreThanOnce() throws Exception {
        JsonNode page = ok("/ops/duplicates?from=" + start);
        assertEquals(List.of(repeated), rrns(page));
        JsonNode t = page.path("items").get(0);
        assertEquals(2, t.path("duplicates").asInt());
        assertFalse(t.path("lastDuplicateAt").isNull(), t.toString());
        assertEquals(List.of(), rrns(ok("/ops/duplicates?to=" + start)), "outside the period");
    }

    @Test
    void shouldShowEachRepeatOnTheTimeline() throws Exception {
        JsonNode events = ok("/ops/transactions/" + repeated).path("events");
        List<Integer> counts = new ArrayList<>();
        events.forEach(e -> counts.add(e.path("duplicates").asInt()));
        assertTrue(counts.contains(1) && counts.contains(2), "one step per repeat: " + events);
        assertEquals("APPROVED", events.get(events.size() - 1).path("state").asText());
    }

    @Test
    void shouldListOnlyTheApprovalTheTerminalNeverReceived() throws Exception {
        JsonNode page = ok("/ops/undelivered?from=" + start + "&to=" + Instant.now().plusSeconds(60));
        assertEquals(List.of(undelivered), rrns(page), "not the plain sale " + plain + " nor the timeout " + timedOut);
        JsonNode t = page.path("items").get(0);
        assertEquals("00", t.path("responseCode").asText());
        assertEquals(ReversalReasons.UNDELIVERABLE, t.path("reversalReason").asText());
        assertEquals("REVERSED", t.path("state").asText());
    }

    @Test
    void shouldRejectUnknownParametersOfThePeriodLists() throws Exception {
        assertEquals(400, Http.get(rig.node.httpPort(), "/ops/duplicates?rc=00", null).statusCode());
        assertEquals(400, Http.get(rig.node.httpPort(), "/ops/undelivered?from=today", null).statusCode());
    }

    @Test
    void shouldListFromTheCommandLine() {
        String url = "http://127.0.0.1:" + rig.node.httpPort();
        String[] dups = Cli.run("txn", "duplicates", "--url", url, "--from", start.toString());
        assertEquals("0", dups[0], dups[2]);
        assertTrue(dups[1].contains(repeated) && !dups[1].contains(plain), dups[1]);
        String[] und = Cli.run("txn", "undelivered", "--url", url);
        assertEquals("0", und[0], und[2]);
        assertTrue(und[1].contains(undelivered) && und[1].contains(ReversalReasons.UNDELIVERABLE)
                && !und[1].contains(timedOut), und[1]);
        String[] saf = Cli.run("txn", "saf", "--url", url, "--expired");
        assertEquals("0", saf[0], saf[2]);
        assertTrue(saf[1].contains("0 shown"), "nothing expired: " + saf[1]);
    }
}
