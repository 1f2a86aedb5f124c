package io.acqswitch.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.acqswitch.iso.Dialect;
import io.acqswitch.iso.IsoCodec;
import io.acqswitch.sim.LedgerSummary;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * The harness runs end to end, with the stub and every target in JVMs of their own, and its ledger
 * check holds; no timing is asserted (shared CI machines). The runs share one rig that keeps its
 * targets (the stubs and each target configuration's JVM start once for the class) and one
 * generator (no run repeats a terminal id of an earlier one); the last test closes the rig and
 * shows that every child JVM stopped.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LoadHarnessSmokeTest {
    private static EventLoopGroup group;
    private static LoadGenerator generator;
    private static ProcessRig rig;

    @BeforeAll
    static void startRig() throws Exception {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        generator = new LoadGenerator(group, IsoCodec.of(Dialect.ISO87));
        rig = ProcessRig.start(true, true);
    }

    @AfterAll
    static void stopRig() {
        if (rig != null) {
            rig.close();
        }
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** Runs the harness with {@code args} on the class's rig, asserts exit code 0 (every ledger check passed), returns its output. */
    private static String runHarness(String... args) throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int exit = LoadHarness.run(LoadOptions.parse(args), rig, generator,
                new PrintStream(buf, true, StandardCharsets.UTF_8));
        String out = buf.toString(StandardCharsets.UTF_8);
        assertEquals(0, exit, out);
        return out;
    }

    /** 50 sales, each answered 00 and one approved debit, nothing reversed, for each of {@code targets}. */
    private static void assertFiftySalesStand(String out, List<String> targets) {
        for (String target : targets) {
            assertTrue(out.contains("ledger[" + target + "]: approvals received=50, approved debits=50, reversed=0 -> OK"), out);
            assertTrue(out.lines().anyMatch(l -> l.startsWith(target + " ") && l.contains("00=50")), out);
        }
    }

    @Test
    @Tag("slow")
    @Timeout(60)
    void shouldCompleteBothTargetsAndPassTheLedgerCheck() throws Exception {
        String out = runHarness("--rate", "50", "--connections", "2", "--warmup", "0", "--duration", "1");

        assertFiftySalesStand(out, List.of("stub", "switch"));
        assertTrue(out.contains("ratio switch/stub"), out);
    }

    @Test
    @Tag("slow")
    @Timeout(120)
    void shouldRunEveryTargetInClosedLoopsAndPassTheLedgerChecks() throws Exception {
        String out = runHarness("--target", "all", "--closed", "2x1,2x4", "--warmup", "0", "--duration", "1");

        for (String target : List.of("stub", "relay", "switch", "jpos")) {
            assertEquals(2, out.lines().filter(l -> l.startsWith("ledger[" + target + "]") && l.endsWith("-> OK")).count(), out);
            assertTrue(out.lines().anyMatch(l -> l.matches(target + " +2x4 .*")), out);
        }
        assertTrue(out.contains("== closed loop 2x1 (2 connections, 1 in flight each;"), out);
        for (String pair : List.of("switch/jpos", "switch/relay", "jpos/relay", "switch/stub", "jpos/stub", "relay/stub")) {
            assertEquals(2, out.lines().filter(l -> l.startsWith("ratio " + pair + ": achieved TPS ")).count(), out);
        }
        assertFalse(out.contains("NaN"), out); // every target JVM reported its CPU and allocation
    }

    /** Last: closes the class's rig, with the targets the other tests left running kept, and a relay running. */
    @Test
    @Tag("slow")
    @Timeout(60)
    @Order(Integer.MAX_VALUE)
    void shouldStopEveryChildJvmOnClose() throws Exception {
        rig.startTarget(LoadOptions.Target.RELAY, "", 0);
        long relay = rig.pid(LoadOptions.Target.RELAY);
        List<Long> pids = rig.pids();
        assertTrue(pids.containsAll(List.of(rig.pid(LoadOptions.Target.STUB), relay)), pids.toString());
        for (long pid : pids) {
            assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), pids.toString());
        }
        rig.clearStubLedgers();
        assertEquals(0, rig.stubLedger().entries());

        rig.close();

        for (long pid : pids) {
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), pids.toString());
        }
    }

    /** {@code target}'s ledger check line, asserted to be OK. */
    private static String ledgerOk(String out, String target) {
        String ledger = out.lines().filter(l -> l.startsWith("ledger[" + target + "]")).findFirst().orElseThrow();
        assertTrue(ledger.endsWith("-> OK"), out);
        return ledger;
    }

    /** The switch's answers by kind, asserted to hold no unexpected answer. */
    private static String switchKindsAllExpected(String out) {
        String kinds = out.lines().filter(l -> l.startsWith("switch by kind")).findFirst().orElseThrow();
        assertTrue(kinds.endsWith("unexpected answers 0"), out);
        return kinds;
    }

    @Test
    @Tag("slow")
    @Timeout(90)
    void shouldKeepTheLedgerExactUnderAMixWithDuplicatesVoidsReversalsAndTimeouts() throws Exception {
        String out = runHarness("--target", "switch", "--rate", "40", "--connections", "2", "--warmup", "1",
                "--duration", "3", "--mix", "sale=55,duplicate=15,void=15,reversal=15", "--timeouts", "10");

        assertFalse(ledgerOk(out, "switch").contains("timeouts answered 68=0,"), out);
        String kinds = switchKindsAllExpected(out);
        for (String kind : List.of("sale ", "duplicate ", "void ", "reversal ", "timeout ")) {
            assertTrue(kinds.contains(kind), out);
        }
    }

    @Test
    @Tag("slow")
    @Timeout(90)
    void shouldOpenAConnectionPerTransactionAndKeepTheLedgerExactWithAMix() throws Exception {
        String out = runHarness("--rate", "40", "--connections", "2", "--warmup", "1", "--duration", "2",
                "--connect-per-txn", "true", "--mix", "sale=70,duplicate=10,void=10,reversal=10", "--timeouts", "5");

        assertTrue(out.contains("for the switch only; stub, relay and jpos get sales only"), out);
        assertTrue(ledgerOk(out, "stub").startsWith("ledger[stub]: approvals received=120, approved debits=120, reversed=0"), out);
        assertTrue(ledgerOk(out, "switch").contains("voids approved="), out);
        assertTrue(switchKindsAllExpected(out).contains("duplicate "), out);
    }

    @Test
    @Tag("slow")
    @Timeout(90)
    void shouldPrintTheComparisonTablesFromClosedLoopsAndSaturation() throws Exception {
        String out = runHarness("--target", "both", "--table", "true", "--closed", "2x1,2x2", "--max-rate", "40",
                "--step-seconds", "1", "--warmup", "0", "--duration", "1", "--p99-ms", "1000", "--connections", "2");
        assertTrue(out.contains("| load | target | TPS | p50 ms | p99 ms | p99.9 ms | CPU per txn (us) | alloc per txn (KB) | errors |"), out);
        for (String target : List.of("stub", "switch")) {
            assertTrue(out.lines().anyMatch(l -> l.startsWith("| closed 2x1 | " + target + " | ")), out);
            assertTrue(out.lines().anyMatch(l -> l.startsWith("| closed 2x2 | " + target + " | ")), out);
            assertTrue(out.lines().anyMatch(l -> l.startsWith("| open, highest step with p99 < 1000 ms | " + target + " | 40 | ")), out);
        }
        assertTrue(out.contains("| ratio | closed 2x1 TPS | closed 2x1 p99 | closed 2x1 CPU/txn | closed 2x2 TPS |"), out);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("| switch/stub | ") && l.endsWith(" | 1.00x |  |")), out);
        assertTrue(out.contains("ledger checks: OK"), out);
    }

    /**
     * Every switch variant (with PostgreSQL when .ci/run's {@code JOURNAL_PG_URL} is set) runs as a
     * target of its own with its ledger checks holding, jPOS's closed rate is offered to jPOS and to
     * each variant, and each journaled variant reports a journal lag from rows it committed.
     */
    @Test
    @Tag("slow")
    @Timeout(300)
    void shouldRunEverySwitchVariantAtJposRateAndMeasureTheJournalLag() throws Exception {
        String pg = System.getenv("JOURNAL_PG_URL");
        List<String> args = new ArrayList<>(List.of("--target", "all", "--table", "true", "--closed", "2x1",
                "--max-rate", "40", "--step-seconds", "1", "--warmup", "0", "--duration", "1", "--p99-ms", "1000"));
        List<String> variants = new ArrayList<>(List.of("switch", "switch-off"));
        if (pg != null && !pg.isBlank()) {
            args.addAll(List.of("--journal-pg", pg, "--journal-pg-user", String.valueOf(System.getenv("JOURNAL_PG_USER")),
                    "--journal-pg-password", Objects.requireNonNullElse(System.getenv("JOURNAL_PG_PASSWORD"), "")));
            variants.add("switch-pg");
        }
        String out = runHarness(args.toArray(String[]::new));

        List<String> atRate = new ArrayList<>(List.of("jpos"));
        atRate.addAll(variants);
        for (String target : atRate) {
            assertTrue(out.lines().anyMatch(l -> l.startsWith("| closed 2x1 | " + target + " | ")), out);
            assertTrue(out.lines().anyMatch(l -> l.matches("\\| " + target + " \\| \\d+ \\| .* \\| [0-9.]+x \\| [0-9.]+x \\| 0 \\|")),
                    out); // its row at jpos's rate, p99 beside jpos's closed and open p99
            assertTrue(out.lines().filter(l -> l.startsWith("ledger[" + target + "]")).allMatch(l -> l.endsWith("-> OK")), out);
        }
        assertTrue(out.contains("p99 at jpos's sustained rate: "), out);
        for (String journaled : variants.stream().filter(v -> !v.equals("switch-off")).toList()) {
            String lag = out.lines().filter(l -> l.startsWith("| " + journaled + " | ") && l.endsWith(" | <= 2 s (#17) |"))
                    .findFirst().orElseThrow(() -> new AssertionError(out));
            assertFalse(lag.contains("| 0 |") || lag.contains("NaN"), lag); // it committed rows, so it has a lag
        }
        assertFalse(out.lines().anyMatch(l -> l.startsWith("| switch-off | ") && l.endsWith("(#17) |")), out);
        for (String pair : List.of("switch/jpos", "switch-off/jpos", "switch/switch-off", "switch-off/relay")) {
            assertTrue(out.lines().anyMatch(l -> l.startsWith("| " + pair + " | ")), out);
        }
        assertTrue(out.contains("ledger checks: OK"), out);
    }

    @Test
    void shouldParseClosedLoopShapesAndDefaultThemForTheTable() {
        assertEquals(List.of(new LoadOptions.Shape(50, 1), new LoadOptions.Shape(20, 8)),
                LoadOptions.parse("--closed", "50x1,20×8").closed());
        assertEquals(LoadOptions.TABLE_SHAPES, LoadOptions.parse("--table", "true").closed());
        assertEquals(List.of(new LoadOptions.Shape(4, 2)), LoadOptions.parse("--table", "true", "--closed", "4x2").closed());
        assertTrue(LoadOptions.parse().closed().isEmpty());
        assertEquals("--closed=50x0: connections x in-flight pairs > 0, e.g. 50x1,20x8",
                assertThrows(IllegalArgumentException.class, () -> LoadOptions.parse("--closed", "50x0")).getMessage());
        assertEquals("--closed=50x1: a closed loop keeps its connections (not with --connect-per-txn true)",
                assertThrows(IllegalArgumentException.class,
                        () -> LoadOptions.parse("--closed", "50x1", "--connect-per-txn", "true")).getMessage());
    }

    @Test
    void shouldTurnTheSwitchJournalOffOnlyWhenAsked() {
        assertEquals("", LoadOptions.parse().switchYaml());
        assertEquals("journal: {enabled: false}\n", LoadOptions.parse("--switch-journal", "false").switchYaml());
        assertEquals("pipeline: {waitStrategy: sleeping}\n",
                LoadOptions.parse("--switch-journal", "true", "--switch-wait-strategy", "sleeping").switchYaml());
    }

    @Test
    void shouldRunEverySwitchVariantItCanForTheTableAndTheAskedOnesOtherwise() {
        LoadOptions.Postgres pg = new LoadOptions.Postgres("jdbc:postgresql://127.0.0.1:5432/journal", "u", "p");
        assertEquals(List.of(LoadOptions.SwitchJournal.H2), LoadOptions.parse().switchJournals());
        assertEquals(List.of(LoadOptions.SwitchJournal.H2, LoadOptions.SwitchJournal.OFF),
                LoadOptions.parse("--table", "true").switchJournals());
        LoadOptions all = LoadOptions.parse("--table", "true", "--journal-pg", pg.url(), "--journal-pg-user", "u",
                "--journal-pg-password", "p");
        assertEquals(List.of(LoadOptions.SwitchJournal.H2, LoadOptions.SwitchJournal.OFF, LoadOptions.SwitchJournal.PG),
                all.switchJournals());
        assertEquals(pg, all.journalPg());
        assertEquals("jdbc:postgresql://127.0.0.1:5432/journal as u", pg.toString()); // no password
        assertEquals("journal: {url: \"jdbc:postgresql://127.0.0.1:5432/journal?currentSchema=s\", user: \"u\", "
                + "password: \"p\"}\n", all.switchYaml(LoadOptions.SwitchJournal.PG, pg.url() + "?currentSchema=s"));
        assertEquals(List.of(LoadOptions.SwitchJournal.OFF), LoadOptions.parse("--switch-journal", "false").switchJournals());
        assertEquals("--switch-journal=h2,pg: pg needs --journal-pg URL", assertThrows(IllegalArgumentException.class,
                () -> LoadOptions.parse("--switch-journal", "h2,pg")).getMessage());
        assertEquals("--switch-journal=h2,h2: h2 twice", assertThrows(IllegalArgumentException.class,
                () -> LoadOptions.parse("--switch-journal", "h2,h2")).getMessage());
        assertEquals("--journal-pg=jdbc:h2:mem:x: a jdbc:postgresql: URL", assertThrows(IllegalArgumentException.class,
                () -> LoadOptions.parse("--journal-pg", "jdbc:h2:mem:x")).getMessage());
        assertEquals("--switch-journal=h2,off: one switch here, h2 or off", assertThrows(IllegalArgumentException.class,
                () -> LoadOptions.parse("--switch-journal", "h2,off").switchYaml()).getMessage());
    }

    @Test
    void shouldParseTheMixAndPickKindsInProportion() {
        TxnMix mix = LoadOptions.parse("--mix", "sale=80,duplicate=10,void=5,reversal=5", "--timeouts", "25").mix();
        assertEquals(new TxnMix(80, 10, 5, 5, 25), mix);
        assertTrue(LoadOptions.parse().mix().salesOnly());
        assertEquals(TxnMix.SALES_ONLY, LoadOptions.parse("--target", "switch").mixFor(LoadOptions.Target.SWITCH));
        assertEquals(TxnMix.SALES_ONLY, LoadOptions.parse("--mix", "sale=1,void=1").mixFor(LoadOptions.Target.JPOS));

        java.util.Map<TxnMix.Kind, Integer> picked = new java.util.EnumMap<>(TxnMix.Kind.class);
        java.util.SplittableRandom random = new java.util.SplittableRandom(1);
        for (int i = 0; i < 10_000; i++) {
            picked.merge(mix.pick(random), 1, Integer::sum);
        }
        assertTrue(Math.abs(picked.get(TxnMix.Kind.SALE) - 6000) < 300, picked.toString());
        assertTrue(Math.abs(picked.get(TxnMix.Kind.TIMEOUT) - 2000) < 300, picked.toString());
        assertTrue(Math.abs(picked.get(TxnMix.Kind.DUPLICATE) - 1000) < 200, picked.toString());
        assertTrue(Math.abs(picked.get(TxnMix.Kind.VOID) - 500) < 150, picked.toString());
    }

    @Test
    void shouldRejectABadMixNamingIt() {
        assertEquals("--mix=sale=0,void=5: weights must be >= 0 and sale > 0",
                assertThrows(IllegalArgumentException.class, () -> LoadOptions.parse("--mix", "sale=0,void=5")).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LoadOptions.parse("--mix", "sale=5,refund=1"))
                .getMessage().startsWith("--mix=sale=5,refund=1: expected kind=weight pairs"));
        assertEquals("--timeouts=101.0: a percentage of sales, 0 to 100",
                assertThrows(IllegalArgumentException.class, () -> LoadOptions.parse("--timeouts", "101")).getMessage());
        assertEquals("--connect-per-txn=yes: true or false",
                assertThrows(IllegalArgumentException.class, () -> LoadOptions.parse("--connect-per-txn", "yes")).getMessage());
        assertEquals("--switch-wait-strategy=spin: blocking, sleeping or yielding",
                assertThrows(IllegalArgumentException.class, () -> LoadOptions.parse("--switch-wait-strategy", "spin"))
                        .getMessage());
    }

    @Test
    void shouldFailTheLedgerCheckUnderAMixWhenADebitDoublesOrAReversalIsMissing() {
        LedgerSummary zero = new LedgerSummary(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        // 10 approved sales, of which 2 voided and 1 reversed by 0400; 3 timeouts at the silent issuer
        LedgerCheck.Expected expected = new LedgerCheck.Expected(10, 2, 1, 3);
        LedgerSummary exact = new LedgerSummary(10, 10, 10_000, 0, 3, 3_000, 0, 0, 0, 0, 0, 0, 0, 7_000);
        LedgerSummary silentReversed = new LedgerSummary(3, 3, 3_000, 0, 3, 3_000, 0, 0, 0, 0, 0, 3, 0, 0);
        LedgerSummary duplicateDebited = new LedgerSummary(11, 11, 11_000, 0, 3, 3_000, 0, 0, 0, 0, 0, 0, 0, 8_000);
        LedgerSummary voidNotReversed = new LedgerSummary(10, 10, 10_000, 0, 2, 2_000, 0, 0, 0, 0, 0, 0, 0, 8_000);
        LedgerSummary silentOneStanding = new LedgerSummary(3, 3, 3_000, 0, 2, 2_000, 0, 0, 0, 0, 0, 3, 0, 1_000);

        assertTrue(LedgerCheck.between("switch", expected, zero, exact, zero, silentReversed).ok());
        assertFalse(LedgerCheck.between("switch", expected, zero, duplicateDebited, zero, silentReversed).ok());
        assertFalse(LedgerCheck.between("switch", expected, zero, voidNotReversed, zero, silentReversed).ok());
        assertFalse(LedgerCheck.between("switch", expected, zero, exact, zero, silentOneStanding).ok());
        assertFalse(LedgerCheck.between("switch", expected, zero, exact, null, null).ok());
    }

    @Test
    void shouldPassAnOverloadOnlyWhenEveryUnansweredSaleThatWasDebitedWasReversed() {
        LedgerSummary zero = new LedgerSummary(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        // 10 approvals received; 4 sales got no answer in time and their terminals sent a 0400 each
        LedgerCheck.Expected expected = new LedgerCheck.Expected(10, 0, 0, 0, 4, 0);
        assertFalse(expected.salesOnly(), "the check waits for the switch to settle");
        assertTrue(LedgerCheck.between("switch", expected, zero, ledger(10, 0), null, null).ok()); // never debited
        assertTrue(LedgerCheck.between("switch", expected, zero, ledger(12, 2), null, null).ok()); // debited, reversed
        assertFalse(LedgerCheck.between("switch", expected, zero, ledger(12, 1), null, null).ok()); // one left standing
        assertFalse(LedgerCheck.between("switch", expected, zero, ledger(15, 5), null, null).ok()); // more debits than sales
        assertFalse(LedgerCheck.between("switch", expected, zero, ledger(11, 2), null, null).ok()); // an approval reversed
        // one of the 4 had no connection left for its 0400: at most one more may stand
        LedgerCheck.Expected oneUnsent = new LedgerCheck.Expected(10, 0, 0, 0, 3, 1);
        assertTrue(LedgerCheck.between("switch", oneUnsent, zero, ledger(12, 1), null, null).ok());
        assertFalse(LedgerCheck.between("switch", oneUnsent, zero, ledger(13, 1), null, null).ok());
    }

    private static LedgerSummary ledger(int debited, int reversed) {
        return new LedgerSummary(debited, debited, debited * 1_000L, 0, reversed, reversed * 1_000L, 0, 0, 0, 0, 0, 0, 0,
                (debited - reversed) * 1_000L);
    }

    @Test
    void shouldRunEveryTargetInTurnForAll() {
        assertEquals(List.of(LoadOptions.Target.STUB, LoadOptions.Target.RELAY, LoadOptions.Target.JPOS,
                LoadOptions.Target.SWITCH), LoadOptions.parse("--target", "all").target().runs());
        assertEquals(List.of("stub", "relay", "jpos", "switch", "switch-off"), LoadHarness.subjects(
                LoadOptions.parse("--target", "all", "--table", "true")).stream().map(LoadHarness.Subject::label).toList());
        assertEquals(List.of("stub", "switch-pg", "switch-off"), LoadHarness.subjects(LoadOptions.parse("--switch-journal",
                "pg,off", "--journal-pg", "jdbc:postgresql://127.0.0.1:1/j")).stream().map(LoadHarness.Subject::label).toList());
        assertEquals(List.of(LoadOptions.Target.JPOS), LoadOptions.parse("--target", "jpos").target().runs());
    }

    @Test
    void shouldRunTheSwitchOnceForEveryJournalAndClusterVariant() {
        assertEquals(List.of(LoadOptions.Cluster.ALONE), LoadOptions.parse().switchClusters());
        assertEquals(List.of("switch-off", "switch-off-1n-sync", "switch-off-3n-async"), LoadHarness.subjects(LoadOptions.parse(
                "--target", "switch", "--switch-journal", "off", "--switch-cluster", "alone,1-sync,3-async")).stream()
                .map(LoadHarness.Subject::label).toList());
        assertEquals(List.of("switch-3n-sync", "switch-off-3n-sync"), LoadHarness.subjects(LoadOptions.parse("--target",
                "switch", "--switch-journal", "h2,off", "--switch-cluster", "3-sync")).stream().map(LoadHarness.Subject::label)
                .toList());
        for (String bad : List.of("3", "0-sync", "10-sync", "3-fast", "1-sync,1-sync")) {
            assertThrows(IllegalArgumentException.class, () -> LoadOptions.parse("--switch-cluster", bad), bad);
        }
    }

    @Test
    void shouldFailTheLedgerCheckWhenDebitsAndApprovalsDiffer() {
        LedgerSummary before = new LedgerSummary(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        LedgerSummary oneExtraDebit = new LedgerSummary(11, 11, 11_000, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 11_000);
        LedgerSummary oneReversed = new LedgerSummary(10, 10, 10_000, 0, 1, 1_000, 0, 0, 0, 0, 0, 0, 0, 9_000);

        assertTrue(LedgerCheck.between("switch", 11, before, oneExtraDebit).ok());
        assertFalse(LedgerCheck.between("switch", 10, before, oneExtraDebit).ok());
        assertFalse(LedgerCheck.between("switch", 10, before, oneReversed).ok());
    }

    @Test
    void shouldStepTheRateUpToTheMaximum() {
        assertEquals(List.of(500, 1000, 2000, 4000, 8000), LoadHarness.steps(8000));
        assertEquals(List.of(500, 1000, 1500), LoadHarness.steps(1500));
        assertEquals(List.of(200), LoadHarness.steps(200));
    }

    @Test
    void shouldBisectBetweenTheLastPassingAndTheFirstFailingStep() {
        assertEquals(3000, LoadHarness.between(2000, 4000));
        assertEquals(3500, LoadHarness.between(3000, 4000));
        assertEquals(2500, LoadHarness.between(2000, 3000));
        assertEquals(700, LoadHarness.between(500, 1000)); // 750 rounded down to the 100/s grain
        assertEquals(0, LoadHarness.between(3900, 4000)); // nothing on the grain strictly between
        assertEquals(0, LoadHarness.between(20, 40));
    }

    @Test
    void shouldRejectUnknownOrBadOptionsNamingThem() {
        assertEquals("--nope: unknown option",
                assertThrows(IllegalArgumentException.class, () -> LoadOptions.parse("--nope", "1")).getMessage());
        assertEquals("--rate=0: must be > 0",
                assertThrows(IllegalArgumentException.class, () -> LoadOptions.parse("--rate", "0")).getMessage());
        assertEquals(Duration.ofSeconds(10).toNanos(), LoadGenerator.TIMEOUT_NANOS);
    }
}
