package io.acqswitch.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.acqswitch.config.SwitchConfig;
import io.acqswitch.journal.JournalDb;
import io.acqswitch.journal.JournalQueries;
import io.acqswitch.sim.IssuerStub;
import io.acqswitch.sim.StubRules;
import io.acqswitch.sim.TerminalClient;
import io.acqswitch.sim.TerminalMessages;
import io.acqswitch.store.ChronicleTransactionStore;
import io.acqswitch.support.ChildSwitch;
import io.acqswitch.support.Http;
import io.acqswitch.support.Journals;
import io.acqswitch.txn.RecordCodec;
import io.acqswitch.txn.TxnRecord;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Nothing is lost from the journal when the switch is killed under load: a switch in a process of
 * its own (embedded H2 journal under its data directory) takes sales, repeats and declines from
 * {@value #TERMINALS} terminals over real sockets, is killed with SIGKILL {@value #KILLS} times
 * while they are mid-exchange and restarted on the same data directory each time. Once the last
 * life has written its backlog and the rescan of the store after the kill (the journal's meters
 * say so), it is stopped, and the store and the journal are opened here and compared row by row:
 * the same transactions on both sides, each in its final state, and every RRN a terminal was
 * answered among them. Bounded: at most {@value #MAX_PER_LIFE} requests per terminal and life,
 * each life's traffic cut by its kill after 1.5 to 3 s. {@code -Dreliability.seed=S} replays the
 * terminals' and the killer's choices; the switch's logs stay under
 * {@code switch-core/target/journal-kill-*}.
 */
@Tag("chaos")
@Tag("slow")
class JournalKillTest {
    private static final int TERMINALS = 4;
    private static final int KILLS = 2;
    private static final int MAX_PER_LIFE = 5_000;
    /** Sales in the last life, after the kills: the journal goes on beside its rescan. */
    private static final int LAST_LIFE_SALES = 50;
    private static final String MID = "MERCHANT0000001";

    /** RRN → response code of every answer a terminal received. */
    private final Map<String, String> answered = new ConcurrentHashMap<>();
    private final AtomicInteger cutOff = new AtomicInteger();

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void shouldJournalEveryTransactionInItsFinalStateAfterKillsUnderLoad() throws Exception {
        long seed = Long.getLong("reliability.seed", System.nanoTime());
        System.out.println("JournalKillTest seed=" + seed + " (-Dreliability.seed=" + seed + ")");
        Random killer = new Random(seed);
        // amounts over 5000 are declined (51): declines are journaled too
        StubRules rules = StubRules.builder().declineAtOrAbove(5000L).build();
        try (IssuerStub stub = new IssuerStub("stub", "127.0.0.1", 0, rules).start()) {
            ChildSwitch sw = new ChildSwitch(Path.of("target", "journal-kill-" + System.currentTimeMillis()), stub.port(),
                    2_000, yaml -> yaml);
            ExecutorService pool = Executors.newFixedThreadPool(TERMINALS);
            try {
                sw.start();
                for (int life = 0; life < KILLS; life++) {
                    AtomicBoolean killed = new AtomicBoolean();
                    List<Future<Integer>> terminals = new ArrayList<>();
                    for (int t = 0; t < TERMINALS; t++) {
                        Random r = new Random(seed + 31L * life + t + 1);
                        String tid = String.format("JKIL%02d%02d", life, t);
                        terminals.add(pool.submit(() -> load(sw, tid, r, MAX_PER_LIFE, killed)));
                    }
                    Thread.sleep(1_500 + killer.nextInt(1_500)); // time is the subject: when the kill lands
                    killed.set(true);
                    sw.kill(); // SIGKILL while the terminals are mid-exchange
                    int requests = 0;
                    for (Future<Integer> f : terminals) {
                        requests += f.get(60, TimeUnit.SECONDS);
                    }
                    System.out.printf("JournalKillTest: life %d answered %d requests before SIGKILL%n", life + 1, requests);
                    assertTrue(requests > 0, "life " + (life + 1) + " was under load when killed");
                    sw.start();
                }
                assertEquals(LAST_LIFE_SALES, load(sw, "JKILLAST", new Random(seed - 1), LAST_LIFE_SALES, new AtomicBoolean()));
                awaitJournalSettled(sw);
            } finally {
                pool.shutdownNow();
                sw.stop(); // SIGTERM: the store closed cleanly, so it can be opened here
            }
            assertJournalHoldsStore(sw.dir.resolve("data"));
        }
    }

    /**
     * One terminal: sales (now and then a repeat of the last, now and then one over the decline
     * limit) until {@code max} are answered or the switch dies under it; returns how many were answered.
     */
    private int load(ChildSwitch sw, String tid, Random r, int max, AtomicBoolean killed) throws Exception {
        int done = 0;
        ISOMsg last = null;
        try (TerminalClient t = sw.terminal()) {
            for (int step = 1; done < max; step++) {
                ISOMsg request = last != null && r.nextInt(20) == 0 ? last
                        : TerminalMessages.sale("47617390010" + String.format("%05d", r.nextInt(100_000)),
                                r.nextInt(10) == 0 ? 6_000 + r.nextInt(1_000) : 100 + r.nextInt(4_000),
                                String.format("%06d", step), tid, MID);
                ISOMsg answer;
                try {
                    answer = t.exchange(request);
                } catch (IOException cut) {
                    if (!killed.get()) {
                        throw cut;
                    }
                    cutOff.incrementAndGet(); // the terminal never learns this one's outcome: the store and journal do
                    return done;
                }
                answered.put(answer.getString(37), answer.getString(39));
                last = request;
                done++;
            }
        } catch (IOException gone) { // connecting while the switch was being killed
            if (!killed.get()) {
                throw gone;
            }
        }
        return done;
    }

    /**
     * Waits (at most 60 s) until the last life has nothing queued for its journal, nothing dirty,
     * no store record left to check (the rescan after the kill: on a busy machine it may not have
     * begun when the rest looks quiet), the journal is up, the SAF is empty, and the count of changes
     * written has not moved for 2 s.
     */
    private static void awaitJournalSettled(ChildSwitch sw) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        double lastWritten = -1;
        int quiet = 0;
        while (quiet < 4) {
            if (System.nanoTime() > end) {
                throw new AssertionError("the journal did not settle within 60 s (see " + sw.log() + ")");
            }
            Thread.sleep(500); // time is the subject: quiet for 2 s is the condition
            HttpResponse<String> rsp = Http.get(sw.httpPort, "/metrics");
            assertEquals(200, rsp.statusCode());
            String m = rsp.body();
            double written = metric(m, "switch_journal_changes_written_total");
            boolean idle = metric(m, "switch_journal_queue_depth") == 0 && metric(m, "switch_journal_dirty_records") == 0
                    && metric(m, "switch_journal_rescan_left") == 0
                    && metric(m, "switch_journal_up") == 1 && metric(m, "switch_saf_depth") == 0 && written == lastWritten;
            quiet = idle ? quiet + 1 : 0;
            lastWritten = written;
        }
    }

    /** The value of an unlabelled meter in Prometheus text. */
    private static double metric(String text, String name) {
        for (String line : text.split("\n")) {
            if (line.startsWith(name + " ")) {
                return Double.parseDouble(line.substring(name.length() + 1).trim());
            }
        }
        throw new AssertionError("no meter " + name + " in /metrics");
    }

    /** Opens the stopped switch's store and journal and compares them row by row. */
    private void assertJournalHoldsStore(Path data) throws Exception {
        List<TxnRecord> records = new ArrayList<>();
        try (ChronicleTransactionStore store = new ChronicleTransactionStore(data, 20_000)) {
            store.forEach((rrn, bytes) -> records.add(RecordCodec.decode(bytes)));
        }
        JournalQueries q = new JournalQueries(new JournalDb(SwitchConfig.Journal.embeddedUrl(data), "sa", ""));
        Journals.assertJournalMatchesStore(records, q, r -> r.rrn + " (" + r.state + ", answered "
                + answered.getOrDefault(r.rrn, "never") + ")");
        Set<String> stored = new HashSet<>();
        records.forEach(r -> stored.add(r.rrn));
        List<String> missing = answered.keySet().stream().filter(rrn -> !stored.contains(rrn)).toList();
        assertEquals(List.of(), missing, "every RRN a terminal was answered is in the store and the journal");
        long approved = answered.values().stream().filter("00"::equals).count();
        System.out.printf("JournalKillTest: %d records in store and journal, %d answered to terminals (%d approved),"
                + " %d cut off by a kill%n", records.size(), answered.size(), approved, cutOff.get());
        assertTrue(approved > 0 && answered.containsValue("51"), "the run approved and declined: " + answered.size());
    }
}
