package io.acqswitch.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.acqswitch.sim.IssuerStub;
import io.acqswitch.sim.StubRules;
import io.acqswitch.sim.TerminalClient;
import io.acqswitch.sim.TerminalMessages;
import io.acqswitch.support.MoneyBook;
import io.acqswitch.support.Rig;
import io.acqswitch.support.TempFiles;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A tiny store ({@code store.expectedEntries: 1000}) filled by sales, some reversed by their
 * terminal, until requests are answered 96: what was accepted before is not lost (approvals still
 * debited once, reversals applied), and the full switch keeps answering at once and stays up.
 */
@Tag("slow")
@Timeout(value = 900, unit = TimeUnit.SECONDS) // a hung socket fails the test instead of the build
class StoreFullTest {
    private static final int MAX_SALES = 20_000;
    private static final String MID = "MERCHANT0000001";

    private final MoneyBook book = new MoneyBook();
    private final Map<String, Integer> outcomes = new TreeMap<>();

    @Test
    void shouldAnswer96WhenTheStoreIsFullAndLoseNothingAcceptedBefore() throws Exception {
        try (IssuerStub stub = new IssuerStub("stub", "127.0.0.1", 0, StubRules.approveAll()).start()) {
            List<String> hosts = List.of("127.0.0.1:" + stub.port());
            Path dir = TempFiles.newDir("store-full");
            String yaml = Rig.yaml(hosts, 2_000, dir).replace("store: {expectedEntries: 20000}", "store: {expectedEntries: 1000}");
            try (Rig rig = Rig.start(stub, hosts, yaml, dir); TerminalClient t = rig.terminal()) {
                List<ISOMsg> approved = new ArrayList<>();
                int sales = 0;
                int full = 0;
                for (int n = 1; n <= MAX_SALES && full < 50; n++) {
                    ISOMsg sale = TerminalMessages.sale("4761739001010010", 100 + n, stan(n), "FULL" + String.format("%04d", n / 999_999), MID);
                    ISOMsg a = exchange(t, "sale", sale);
                    sales++;
                    book.answered(a);
                    if ("96".equals(a.getString(39))) {
                        full++;
                    } else if ("00".equals(a.getString(39))) {
                        sale.set(37, a.getString(37));
                        approved.add(sale);
                        if (n % 10 == 0) { // the terminal reverses every tenth sale it was approved
                            reverse(t, sale);
                        }
                    }
                }
                assertTrue(full > 0, "the store filled up within " + MAX_SALES + " sales");
                assertTrue(rig.counted("switch_store_full_rejections") > 0, "store-full rejections counted");

                // full: repeats of earlier approvals are still replayed, reversals of them still honoured,
                // echoes answered, and everything answered at once (not hanging)
                for (int i = 0; i < 20; i++) {
                    ISOMsg earlier = approved.get(i * approved.size() / 20);
                    ISOMsg repeat = (ISOMsg) earlier.clone();
                    repeat.unset(37);
                    book.answered(exchange(t, "repeat when full", repeat));
                    if (i % 2 == 0) {
                        reverse(t, earlier);
                    }
                    assertEquals("00", exchange(t, "echo when full", TerminalMessages.networkManagement("301", stan(i), "FULL0000")).getString(39));
                }
                assertEquals(0, WireFuzzTest.processorErrors(rig), "processor errors");
                rig.await("in-flight done and SAF drained",
                        () -> rig.node.processor().inFlight() == 0 && rig.node.processor().safDepth() == 0, Duration.ofSeconds(30));
                MoneyBook.Verdict v = book.reconcile(stub.ledger());
                System.out.printf("StoreFullTest: %d sales, %d approved, outcomes %s, store-full rejections %.0f, verdict %s%n",
                        sales, approved.size(), outcomes, rig.counted("switch_store_full_rejections"), v);
                assertEquals(0, v.doubleDebits(), "double debits");
                assertEquals(0, v.orphanDebits(), "orphan debits: " + v.orphans());
                assertEquals(0, v.lostApprovals(), "approvals lost");
                assertEquals(0, WireFuzzTest.processorErrors(rig), "processor errors");
                HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + rig.node.httpPort() + "/health")).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, health.statusCode(), "healthy otherwise: " + health.body());
            }
        }
    }

    private void reverse(TerminalClient t, ISOMsg sale) throws Exception {
        ISOMsg reversal = (ISOMsg) sale.clone();
        reversal.set(0, "0400");
        if ("00".equals(exchange(t, "reversal", reversal).getString(39))) {
            book.reversed(sale.getString(37));
        }
    }

    /** One exchange, answered within 2 s; tallied by what and response code. */
    private ISOMsg exchange(TerminalClient t, String what, ISOMsg request) throws Exception {
        long start = System.nanoTime();
        ISOMsg a = t.exchange(request);
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertTrue(ms < 2_000, what + " answered in " + ms + " ms");
        outcomes.merge(what + " " + a.getString(39), 1, Integer::sum);
        return a;
    }

    private static String stan(int n) {
        return String.format("%06d", n % 1_000_000);
    }
}
