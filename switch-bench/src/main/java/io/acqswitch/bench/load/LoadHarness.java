package io.acqswitch.bench.load;

import io.acqswitch.bench.load.LoadOptions.Target;
import io.acqswitch.iso.Dialect;
import io.acqswitch.iso.IsoCodec;
import io.acqswitch.sim.LedgerSummary;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * End-to-end load harness: starts, in this process, an approve-all issuer stub and the targets
 * routed to it (temporary data directory, ephemeral 127.0.0.1 ports, issuer deadline 10 s), then
 * drives iso87 requests at them from a non-blocking terminal simulator ({@link LoadGenerator}) and
 * prints throughput, coordinated-omission-corrected latency percentiles, answers by field 39 (and,
 * with a mix, by kind of request) and errors.
 *
 * <pre>
 *   java &lt;JVM flags of ./acqswitch&gt; -cp switch-bench/target/benchmarks.jar \
 *        io.acqswitch.bench.load.LoadHarness [--key value ...]
 *
 *   --connections N     terminals, one terminal id each (default 8); one persistent connection each
 *                       unless --connect-per-txn
 *   --rate TPS          offered rate, open model: sends on schedule whatever the answers do (2000)
 *   --duration SECONDS  measured seconds (10)
 *   --warmup SECONDS    unmeasured seconds at the same rate before them (3)
 *   --target T          stub: straight to the issuer stub (the floor of network + stub);
 *                       switch: through the switch to the same stub;
 *                       relay: through a zero-logic Netty relay to the same stub (the ceiling);
 *                       jpos: through a jPOS Q2 switch (QServer + QMUX) to the same stub (the incumbent);
 *                       both: stub then switch, with the ratio switch/stub (default);
 *                       all: stub, relay, switch, jpos, with the ratios
 *   --saturate BOOL     step the rate 500, 1000, 2000, 4000, ... up to --max-rate per target and report
 *                       the highest step that passes (false)
 *   --max-rate TPS      highest step (8000)
 *   --step-seconds S    measured seconds per step (5; the first step of a target also warms up
 *                       --warmup seconds, the others 1 s)
 *   --p99-ms MS         a step passes when p99 &lt; MS, achieved &ge; 95 % of offered, no errors and
 *                       every answer the one its kind must get (10)
 *   --mix SPEC          switch target only: weights of sale, duplicate, void, reversal, e.g.
 *                       sale=80,duplicate=10,void=5,reversal=5 (default sale=100, as every earlier figure)
 *   --timeouts PCT      switch target only: this % of the sales go to a card whose issuer never answers (0)
 *   --connect-per-txn BOOL  a new TCP connection per transaction, like GPRS terminals (false)
 *   --generator-threads N   the simulator's event-loop threads (1)
 *   --switch-wait-strategy S  the switch's pipeline.waitStrategy: blocking, sleeping, yielding (its default)
 *   --switch-journal BOOL   the switch's journal (embedded H2, in this JVM) on (its default) or off
 * </pre>
 *
 * <p><b>Mix.</b> A duplicate re-sends the exact bytes of an earlier sale of the same terminal (in
 * flight or answered); a void ({@code 0200}, processing code {@code 200000}, 37/38 of the sale) and
 * a terminal reversal ({@code 0400}, own STAN, field 90 naming the sale) each act on a different
 * earlier sale of that terminal that was answered {@code 00}. A timeout is a sale to a card the
 * switch routes to a second, silent issuer ({@link LoadRig#silent}: a stub that withholds every
 * financial answer, deadline {@link LoadRig#SILENT_DEADLINE_SECONDS} s): the switch answers it
 * {@code 68} and reverses it through its SAF; its latency is the deadline, so it is left out of the
 * percentiles. Only the switch detects duplicates, decides voids and reverses: the stub, relay and
 * jPOS targets get sales only (the harness says so when a mix is given for them), so their ledger
 * checks stay meaningful and their rows are not comparable with a mixed switch row.
 *
 * <p><b>Connections.</b> With {@code --connect-per-txn true} each request opens its own connection
 * at its due time, sends once connected, reads its answer and closes; the connect is part of its
 * latency. On Linux the closing side keeps each port in TIME_WAIT for 60 s, so sustained rates above
 * a few hundred per second rely on {@code net.ipv4.tcp_tw_reuse} (loopback is reused by default).
 *
 * <p><b>Threads.</b> The schedule runs on one sender thread; connects and answers on
 * {@code --generator-threads} event loops. The switch has no thread-count settings: its terminal and
 * issuer I/O run on one Netty worker group of Netty's default size (2 per core, or the JVM property
 * {@code -Dio.netty.eventLoopThreads=N}, which also sizes the stub's workers), transactions on the
 * ring's single processor thread (single writer by design); {@code --switch-wait-strategy} sets how
 * that thread waits.
 *
 * <p>Latency is measured from each request's intended send time to its answer. A request not
 * answered within 10 s of that time is an error. After each target the stubs' ledgers are checked
 * ({@link LedgerCheck}, waiting up to 15 s for the switch's SAF to deliver
 * the reversals of voids, 0400s and timeouts): exactly one approved debit per sale answered
 * {@code 00}, exactly the voided and reversed ones reversed, every timeout debit at the silent
 * issuer reversed. Each row also shows the process's CPU time and heap allocation per answered
 * transaction during the window: simulator, stub and target share the JVM, so a target's own cost
 * is its figure minus the stub row's.
 *
 * <p>Exit code: 0 when every ledger check passes, 1 when one fails, 2 for bad options.
 */
public final class LoadHarness {
    private static final int FIRST_STEP = 500;
    private static final int SAF_DRAIN_SECONDS = 15;

    private LoadHarness() {}

    public static void main(String[] args) throws IOException, InterruptedException {
        LoadOptions options;
        try {
            options = LoadOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("loadharness: " + e.getMessage());
            System.err.println(LoadOptions.USAGE);
            System.exit(2);
            return;
        }
        System.exit(run(options, System.out));
    }

    /** Room for every request the run can send, twice over (at least 20,000: the store's floor is 1,000). */
    static long storeEntries(LoadOptions o) {
        long requests = o.saturate()
                ? 2L * o.maxRate() * o.stepSeconds() // the doubling steps sum to under twice the last
                : (long) o.rate() * (o.warmup() + o.duration());
        return Math.max(20_000, 2 * requests);
    }

    /**
     * Runs the harness as {@code options} say, printing to {@code out}.
     *
     * @return 0 when every ledger check passed, else 1
     * @throws IOException when the stub or the switch cannot start
     * @throws InterruptedException when interrupted
     */
    static int run(LoadOptions options, PrintStream out) throws IOException, InterruptedException {
        out.println(LoadReport.machine());
        out.println("options: " + options);
        List<Target> targets = options.target().runs();
        if (!options.mix().salesOnly() && !targets.equals(List.of(Target.SWITCH))) {
            out.println("mix: " + options.mix() + " for the switch only; stub, relay and jpos get sales only (they do "
                    + "not detect duplicates, decide voids or reverse), so their rows are not comparable with its row");
        }
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(options.generatorThreads(), NioIoHandler.newFactory());
        try (LoadRig rig = LoadRig.start(targets, storeEntries(options), options.mix().timeoutPct() > 0,
                options.switchYaml())) {
            LoadGenerator generator = new LoadGenerator(group, IsoCodec.of(Dialect.ISO87));
            boolean ok;
            if (options.table()) {
                ok = table(options, targets, rig, generator, out);
            } else if (options.saturate()) {
                ok = saturate(options, targets, rig, generator, out).ok();
            } else {
                ok = fixedRate(options, targets, rig, generator, out).ok();
            }
            out.println(ok ? "ledger checks: OK" : "ledger checks: FAILED");
            return ok ? 0 : 1;
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private static LoadGenerator.Traffic traffic(LoadOptions o, Target t) {
        return new LoadGenerator.Traffic(o.connections(), o.mixFor(t), o.connectPerTxn());
    }

    /** What a run of every target gave: whether every ledger check passed, and one result per target. */
    private record Outcome(boolean ok, List<RunResult> results) {}

    /**
     * BENCHMARKS.md's table in one run: saturation of every target, then every target at half the
     * switch's sustained rate (the first step's half when no step passed), then the table.
     */
    private static boolean table(LoadOptions o, List<Target> targets, LoadRig rig, LoadGenerator generator,
                                 PrintStream out) throws InterruptedException {
        Outcome saturation = saturate(o, targets, rig, generator, out);
        RunResult sw = targets.contains(Target.SWITCH) ? saturation.results().get(targets.indexOf(Target.SWITCH)) : null;
        int half = Math.max(1, (sw == null ? FIRST_STEP : sw.offeredTps()) / 2);
        out.println();
        out.println("== every target at " + half + " TPS (half the switch's sustained rate)");
        Outcome fixed = fixedRate(o.atRate(half), targets, rig, generator, out);
        out.println();
        out.print(LoadReport.table(saturation.results(), fixed.results(), half, o.p99Ms()));
        return saturation.ok() && fixed.ok();
    }

    private static Outcome fixedRate(LoadOptions o, List<Target> targets, LoadRig rig, LoadGenerator generator,
                                     PrintStream out) throws InterruptedException {
        List<RunResult> results = new ArrayList<>();
        boolean ok = true;
        for (Target t : targets) {
            Ledgers before = Ledgers.of(rig);
            RunResult r = generator.run(name(t), rig.port(t), traffic(o, t), o.rate(), o.warmup(), o.duration());
            LedgerCheck check = ledgerCheck(rig, r.expected(), r.target(), before);
            ok &= check.ok();
            results.add(r);
            out.println(check);
        }
        out.println();
        out.println(LoadReport.header());
        for (RunResult r : results) {
            out.println(LoadReport.row(r));
        }
        results.stream().map(LoadReport::kinds).filter(k -> !k.isEmpty()).forEach(out::println);
        if (results.size() == 2 && targets.equals(Target.BOTH.runs())) {
            out.println(LoadReport.ratios(results.get(0), results.get(1)));
        } else if (results.size() > 2) {
            printRatios(targets, results, out);
        }
        return new Outcome(ok, results);
    }

    /** @return the ledger checks' verdict and each target's highest passing step (null when none passed) */
    private static Outcome saturate(LoadOptions o, List<Target> targets, LoadRig rig, LoadGenerator generator,
                                    PrintStream out) throws InterruptedException {
        boolean ok = true;
        List<String> summary = new ArrayList<>();
        List<RunResult> best = new ArrayList<>();
        for (Target t : targets) {
            out.println(LoadReport.header() + "  step");
            Ledgers before = Ledgers.of(rig);
            RunResult sustained = null;
            LedgerCheck.Expected expected = LedgerCheck.Expected.NONE;
            boolean first = true;
            for (int rate : steps(o.maxRate())) {
                RunResult r = generator.run(name(t), rig.port(t), traffic(o, t), rate, first ? o.warmup() : 1,
                        o.stepSeconds());
                first = false;
                expected = expected.plus(r.expected());
                boolean pass = passes(r, o.p99Ms());
                out.println(LoadReport.row(r) + (pass ? "  pass" : "  FAIL"));
                String kinds = LoadReport.kinds(r);
                if (!kinds.isEmpty()) {
                    out.println("  " + kinds);
                }
                if (!pass) {
                    break;
                }
                sustained = r;
            }
            LedgerCheck check = ledgerCheck(rig, expected, name(t), before);
            ok &= check.ok();
            out.println(check);
            best.add(sustained);
            summary.add(sustained == null
                    ? name(t) + ": no step passed"
                    : String.format(Locale.ROOT, "%s: sustained %d TPS (achieved %.1f, p99 %.3f ms)", name(t),
                            sustained.offeredTps(), sustained.achievedTps(), sustained.p99()));
        }
        out.println();
        out.println("saturation (pass: p99 < " + o.p99Ms() + " ms, achieved >= 95% of offered, no errors, every answer "
                + "the one its kind must get):");
        summary.forEach(s -> out.println("  " + s));
        int sw = targets.indexOf(Target.SWITCH);
        for (int i = 0; i < targets.size(); i++) {
            if (sw >= 0 && i != sw && best.get(sw) != null && best.get(i) != null) {
                out.println("  ratio switch/" + name(targets.get(i)) + " sustained rate: "
                        + LoadReport.ratio(best.get(sw).offeredTps(), best.get(i).offeredTps()));
            }
        }
        return new Outcome(ok, best);
    }

    /** switch against each other target, and jPOS against the relay, over the stub-direct run when there is one. */
    private static void printRatios(List<Target> targets, List<RunResult> results, PrintStream out) {
        RunResult stub = targets.contains(Target.STUB) ? results.get(targets.indexOf(Target.STUB)) : null;
        RunResult sw = targets.contains(Target.SWITCH) ? results.get(targets.indexOf(Target.SWITCH)) : null;
        for (Target other : List.of(Target.STUB, Target.RELAY, Target.JPOS)) {
            if (sw != null && targets.contains(other)) {
                out.println(LoadReport.ratios("switch/" + name(other), sw, results.get(targets.indexOf(other)),
                        other == Target.STUB ? null : stub));
            }
        }
        if (targets.contains(Target.JPOS) && targets.contains(Target.RELAY)) {
            out.println(LoadReport.ratios("jpos/relay", results.get(targets.indexOf(Target.JPOS)),
                    results.get(targets.indexOf(Target.RELAY)), stub));
        }
    }

    /** 500, 1000, 2000, ... below {@code maxRate}, then {@code maxRate} itself. */
    static List<Integer> steps(int maxRate) {
        List<Integer> steps = new ArrayList<>();
        for (int r = FIRST_STEP; r < maxRate; r *= 2) {
            steps.add(r);
        }
        steps.add(maxRate);
        return steps;
    }

    private static boolean passes(RunResult r, double p99Ms) {
        return r.p99() < p99Ms && r.achievedTps() >= 0.95 * r.offeredTps() && r.errors() == 0 && r.unmatched() == 0
                && r.unexpected() == 0 && r.answered() == r.scheduled();
    }

    /** The stubs' ledger summaries at one moment ({@code silent} null when the rig has no silent issuer). */
    private record Ledgers(LedgerSummary stub, LedgerSummary silent) {
        static Ledgers of(LoadRig rig) {
            return new Ledgers(rig.stub.ledger().summary(), rig.silent == null ? null : rig.silent.ledger().summary());
        }
    }

    /**
     * Lets answers already written settle into the ledgers and the switch's SAF deliver the reversals
     * of voids, 0400s and timeouts (at most {@link #SAF_DRAIN_SECONDS} s), then compares.
     */
    private static LedgerCheck ledgerCheck(LoadRig rig, LedgerCheck.Expected expected, String target, Ledgers before)
            throws InterruptedException {
        Thread.sleep(300); // a reversal the switch would send after a lost answer starts within its tick
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(SAF_DRAIN_SECONDS);
        while (true) {
            Ledgers after = Ledgers.of(rig);
            LedgerCheck check = LedgerCheck.between(target, expected, before.stub(), after.stub(), before.silent(),
                    after.silent());
            if (check.ok() || expected.salesOnly() || System.nanoTime() > end) {
                return check;
            }
            Thread.sleep(100);
        }
    }

    private static String name(Target t) {
        return t.name().toLowerCase(Locale.ROOT);
    }
}
