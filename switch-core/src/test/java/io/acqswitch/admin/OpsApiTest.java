package io.acqswitch.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.acqswitch.sim.TerminalClient;
import io.acqswitch.support.Cli;
import io.acqswitch.support.Http;
import io.acqswitch.support.Journals;
import io.acqswitch.support.Rig;
import java.net.http.HttpResponse;
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

/** The operations API over HTTP, and the {@code txn} CLI on top of it, against a switch with a journal. */
@Timeout(value = 300, unit = TimeUnit.SECONDS) // a hung socket fails the test instead of the build
class OpsApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Rig rig;
    private static final List<String> RRNS = new ArrayList<>();
    private static String stan;

    @BeforeAll
    static void start() throws Exception {
        rig = Rig.start(400);
        try (TerminalClient t = rig.terminal()) {
            for (int i = 0; i < 3; i++) {
                ISOMsg sale = Journals.sale(500 + i);
                stan = sale.getString(11);
                ISOMsg answer = t.exchange(sale);
                assertEquals("00", answer.getString(39));
                RRNS.add(answer.getString(37));
            }
        }
        rig.await("journal caught up with the deliveries", () -> {
            try {
                return Journals.queries(rig).timeline(RRNS.getLast()).map(tl -> tl.transaction().delivered()).orElse(false);
            } catch (SQLException e) {
                return false;
            }
        }, Duration.ofSeconds(10));
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

    @Test
    void shouldFindTransactionByRrn() throws Exception {
        JsonNode items = ok("/ops/transactions?rrn=" + RRNS.getFirst()).path("items");
        assertEquals(1, items.size());
        assertEquals(500, items.get(0).path("amount").asLong());
        assertEquals("476173******0010", items.get(0).path("maskedPan").asText());
    }

    @Test
    void shouldFindByTerminalAndStan() throws Exception {
        JsonNode items = ok("/ops/transactions?terminal=TERM0001&stan=" + stan).path("items");
        assertEquals(1, items.size());
        assertEquals(RRNS.getLast(), items.get(0).path("rrn").asText());
    }

    @Test
    void shouldFindByMaskedPanMerchantResponseCodeStateAndTime() throws Exception {
        assertEquals(3, ok("/ops/transactions?pan=476173******0010").path("items").size());
        assertEquals(3, ok("/ops/transactions?pan=4761730010&merchant=MERCHANT0000001&rc=00&state=APPROVED")
                .path("items").size());
        assertEquals(0, ok("/ops/transactions?pan=411111******1111").path("items").size());
        assertEquals(3, ok("/ops/transactions?from=2000-01-01T00:00:00Z&to=2999-01-01T00:00:00Z").path("items").size());
        assertEquals(0, ok("/ops/transactions?to=2000-01-01T00:00:00Z").path("items").size());
    }

    @Test
    void shouldPageResults() throws Exception {
        JsonNode first = ok("/ops/transactions?limit=2");
        assertEquals(2, first.path("items").size());
        assertTrue(first.path("more").asBoolean());
        JsonNode second = ok("/ops/transactions?limit=2&offset=2");
        assertEquals(1, second.path("items").size());
        assertFalse(second.path("more").asBoolean());
    }

    @Test
    void shouldRejectBadQueries() throws Exception {
        assertEquals(400, Http.get(rig.node.httpPort(), "/ops/transactions?limit=1001", null).statusCode());
        assertEquals(400, Http.get(rig.node.httpPort(), "/ops/transactions?state=NOPE", null).statusCode());
        assertEquals(400, Http.get(rig.node.httpPort(), "/ops/transactions?from=yesterday", null).statusCode());
        assertEquals(400, Http.get(rig.node.httpPort(), "/ops/transactions?colour=red", null).statusCode());
        assertEquals(404, Http.get(rig.node.httpPort(), "/ops/transactions/999999999999", null).statusCode());
    }

    @Test
    void shouldShowTimeline() throws Exception {
        JsonNode doc = ok("/ops/transactions/" + RRNS.getFirst());
        assertEquals("APPROVED", doc.path("transaction").path("state").asText());
        JsonNode events = doc.path("events");
        assertEquals("FORWARDED", events.get(0).path("state").asText());
        assertEquals("APPROVED", events.get(events.size() - 1).path("state").asText());
        assertTrue(events.get(events.size() - 1).path("delivered").asBoolean());
    }

    @Test
    void shouldListSafEntries() throws Exception {
        assertEquals(0, ok("/ops/saf").path("items").size(), "nothing pending");
        assertEquals(0, ok("/ops/saf?status=expired").path("items").size());
    }

    @Test
    void shouldFindAndShowFromTheCommandLine() {
        String url = "http://127.0.0.1:" + rig.node.httpPort();
        String[] found = Cli.run("txn", "find", "--url", url, "--terminal", "TERM0001", "--stan", stan);
        assertEquals("0", found[0], found[2]);
        assertTrue(found[1].contains(RRNS.getLast()), found[1]);
        assertTrue(found[1].contains("476173******0010"), found[1]);
        String[] shown = Cli.run("txn", "show", "--url", url, RRNS.getFirst());
        assertEquals("0", shown[0], shown[2]);
        assertTrue(shown[1].contains("timeline:") && shown[1].contains("FORWARDED"), shown[1]);
        String[] missing = Cli.run("txn", "show", "--url", url, "000000000000");
        assertEquals("1", missing[0]);
        assertTrue(missing[2].contains("404"), missing[2]);
    }
}
