package io.acqswitch.bench.load;

import io.acqswitch.bench.load.LoadOptions.Cluster;
import io.acqswitch.bench.load.LoadOptions.Target;
import io.acqswitch.iso.Dialect;
import io.acqswitch.iso.IsoCodec;
import io.acqswitch.sim.LedgerSummary;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.IOException;
import java.io.PrintStream;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.NavigableMap;
import java.util.concurrent.TimeUnit;

/**
 * End-to-end load harness, measuring the targets as users deploy them: an approve-all issuer stub
 * and each target routed to it run in JVMs of their own ({@link ProcessRig}: the same {@code java}
 * and JVM flags as this one, 127.0.0.1 ports the rig picks; the switch through its own CLI,
 * {@code run --config}, with its shipped defaults, journal on), one target at a time, while this JVM
 * drives iso87 requests at them from a non-blocking terminal simulator ({@link LoadGenerator}) and
 * prints throughput, latency percentiles, answers by field 39 (and, with a mix, by kind of request),
 * errors, and the target JVM's CPU and allocation per transaction.
 *
 * <p>Two load models: the <b>open model</b> ({@code --rate}, {@code --saturate}): requests are due
 * on a fixed schedule whatever the answers do, latency from each due time (coordinated omission
 * corrected); and the <b>closed loop</b> ({@code --closed 50x1,20x8}): N connections each keeping W
 * requests in flight, reporting the throughput the target held and the latency from each send.
 * Before the first target, {@code --warmup} seconds of sales go straight to the stub, unmeasured, so
 * that the generator and the stub (which serves every target) are as warm for the first target as
 * for the last; each run then has its own warm-up.
 *
 * <pre>
 *   java &lt;JVM flags of ./acqswitch&gt; -cp switch-bench/target/benchmarks.jar \
 *        io.acqswitch.bench.load.LoadHarness [--key value ...]
 *
 *   --connections N     open model: terminals, one terminal id each (default 8); one persistent
 *                       connection each unless --connect-per-txn (a closed loop's come from --closed)
 *   --rate TPS          offered rate, open model: sends on schedule whatever the answers do (2000)
 *   --closed NxW[,NxW]  closed loop instead: N connections with W requests in flight each, one run of
 *                       each target per shape (none); not with --connect-per-txn
 *   --duration SECONDS  measured seconds (10)
 *   --warmup SECONDS    unmeasured seconds at the same load before each run's window (3); also, before
 *                       the first target, this long of sales straight to the stub
 *   --target T          stub: straight to the issuer stub (the floor of network + stub);
 *                       switch: through the switch to the same stub;
 *                       relay: through a zero-logic Netty relay to the same stub (the ceiling);
 *                       jpos: through a jPOS Q2 switch (QServer + QMUX) to the same stub (the incumbent);
 *                       both: stub then switch, with the ratio switch/stub (default);
 *                       all: stub, relay, switch, jpos, with the ratios
 *   --saturate BOOL     step the rate 500, 1000, 2000, 4000, ... up to --max-rate per target, bisect twice
 *                       between the last passing and the first failing step (to 100/s), and report
 *                       the highest step that passes: the target's saturation rate (false)
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
 *   --switch-journal V[,V]  the switch's variants, each a target of its own: h2 (as shipped), off, pg
 *   --journal-pg URL    PostgreSQL for the pg variant (a schema per run); --journal-pg-user, --journal-pg-password
 *   --switch-cluster V[,V]  the switch's cluster variants, each (per journal variant) a target of its own:
 *                       alone (as today, no cluster: section), N-sync or N-async: N switch JVMs on one
 *                       Kafka broker in a JVM of its own, each terminal connected to its partition's owner (alone)
 *   --table BOOL        every --closed shape (default 50x1 and 20x8), then the saturation steps, of
 *                       every target, then BENCHMARKS.md's tables: rows and ratios (false)
 *   --help              these options
 * </pre>
 *
 * <p><b>Mix.</b> A duplicate re-sends the exact bytes of an earlier sale of the same terminal (in
 * flight or answered); a void ({@code 0200}, processing code {@code 200000}, 37/38 of the sale) and
 * a terminal reversal ({@code 0400}, own STAN, field 90 naming the sale) each act on a different
 * earlier sale of that terminal that was answered {@code 00}. A timeout is a sale to a card the
 * switch routes to a second, silent issuer (a stub that withholds every financial answer, deadline
 * {@link ProcessRig#SILENT_DEADLINE_SECONDS} s, in a JVM of its own): the switch answers it
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
 * <p><b>Threads.</b> The open model's schedule runs on one sender thread; connects and answers (and a
 * closed loop's sends) on {@code --generator-threads} event loops. The switch has no thread-count
 * settings: its terminal and issuer I/O run on one Netty worker group of Netty's default size (2 per
 * core, or the JVM property {@code -Dio.netty.eventLoopThreads=N}, which the children inherit with
 * every other flag of this JVM, so it also sizes the stub's and the relay's workers), transactions on
 * the ring's single processor thread (single writer by design); {@code --switch-wait-strategy} sets
 * how that thread waits.
 *
 * <p>A request not answered within 10 s of its due (open) or send (closed) time is an error. After
 * each run the stubs' ledgers are read over their HTTP API and checked ({@link LedgerCheck}, waiting
 * up to 15 s for the switch's SAF to deliver the reversals of voids, 0400s and timeouts): exactly
 * one approved debit per sale answered {@code 00}, exactly the voided and reversed ones reversed,
 * every timeout debit at the silent issuer reversed. Each row also shows the CPU time and heap
 * allocation per answered transaction, during the window, of the target's own JVM (the stub's for
 * stub-direct), as that JVM reports them ({@link ChildMain}); the simulator's and, for the
 * intermediaries, the stub's are not in them.
 *
 * <p>Exit code: 0 when every ledger check passes, 1 when one fails, 2 for bad options, 3 when a
 * JVM of the rig cannot start (the message ends with the tail of its output).
 */
public final class LoadHarness {
    private static final int FIRST_STEP = 500;
    /** Bisections between the highest passing saturation step and the first failing one. */
    private static final int REFINE_STEPS = 2;
    /** Refined steps are multiples of this (requests per second). */
    private static final int REFINE_GRAIN = 100;
    private static final int SAF_DRAIN_SECONDS = 15;
    /** How long the journal-lag run waits for a journaled switch's writer to finish what earlier runs left it. */
    private static final Duration JOURNAL_CATCH_UP = Duration.ofMinutes(3);
    /** The cluster's counter of Kafka transactions committed (every node's, summed). */
    private static final String COMMITS = "switch_cluster_replication_commits";
    /** The warm-up's load: enough in flight to keep the generator and the stub busy on any machine. */
    private static final LoadOptions.Shape WARM_UP_SHAPE = new LoadOptions.Shape(8, 4);

    private LoadHarness() {}

    public static void main(String[] args) throws InterruptedException {
        if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
            System.out.println(LoadOptions.USAGE);
            return;
        }
        LoadOptions options;
        try {
            options = LoadOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("loadharness: " + e.getMessage());
            System.err.println(LoadOptions.USAGE);
            System.exit(2);
            return;
        }
        try {
            System.exit(run(options, System.out));
        } catch (IOException e) {
            System.err.println("loadharness: " + e.getMessage());
            System.exit(3);
        }
    }

    /** Room for every request the run can send, twice over (at least 20,000: the store's floor is 1,000). The soak's. */
    static long storeEntries(LoadOptions o) {
        long requests = o.saturate()
                ? 2L * o.maxRate() * o.stepSeconds() // the doubling steps sum to under twice the last
                : (long) o.rate() * (o.warmup() + o.duration());
        return Math.max(20_000, 2 * requests);
    }

    /**
     * A generous estimate of the requests one target gets in a run, warm-ups included: a closed
     * loop is assumed to hold at most the higher of {@code --rate} and {@code --max-rate}. Above the
     * switch's shipped store size, the rig sizes its store for this many.
     */
    static long requests(LoadOptions o) {
        long perSecond = Math.max(o.rate(), o.maxRate());
        long n = o.closed().size() * perSecond * (o.warmup() + o.duration());
        if (o.saturate() || o.table()) {
            n += 2L * o.maxRate() * (o.stepSeconds() + 1) + (long) FIRST_STEP * o.warmup();
        } else if (o.closed().isEmpty()) {
            n += (long) o.rate() * (o.warmup() + o.duration());
        }
        return n;
    }

    /**
     * One target as run: the switch once per journal variant and cluster variant, each other target once.
     *
     * @param journal the switch's variant; null for the other targets
     * @param cluster the switch's cluster variant; {@link Cluster#ALONE} for the other targets
     */
    record Subject(Target target, LoadOptions.SwitchJournal journal, Cluster cluster) {
        /** {@code stub}, {@code jpos}, {@code switch}, {@code switch-off}, {@code switch-off-3n-sync}, ...: its name in rows and ratios. */
        String label() {
            return journal != null ? journal.label() + cluster.suffix() : target.label();
        }
    }

    /**
     * The subjects {@code o} runs, in order: its targets, the switch once for each of its journal
     * variants, each of those once for each cluster variant.
     */
    static List<Subject> subjects(LoadOptions o) {
        List<Subject> subjects = new ArrayList<>();
        for (Target t : o.target().runs()) {
            if (t == Target.SWITCH) {
                for (LoadOptions.SwitchJournal j : o.switchJournals()) {
                    o.switchClusters().forEach(c -> subjects.add(new Subject(t, j, c)));
                }
            } else {
                subjects.add(new Subject(t, null, Cluster.ALONE));
            }
        }
        return subjects;
    }

    /**
     * A journaled switch variant's open-model run at 80 % of its saturation rate, with its journal lag.
     *
     * @param lag the lag histogram's counts in the window, cumulative by upper bound (s)
     */
    record LagRun(RunResult run, NavigableMap<Double, Double> lag) {}

    /** What the runs of every target gave, by kind of run; each list in subject order. */
    private static final class Results {
        /** Per closed-loop shape, one result per subject. */
        final List<List<RunResult>> closed = new ArrayList<>();
        /** Per subject, its open-model run at --rate (none when closed shapes or saturation ran instead). */
        final List<RunResult> fixed = new ArrayList<>();
        /** Per subject, its highest passing saturation step, or null. */
        final List<RunResult> saturation = new ArrayList<>();
        final List<String> saturationSummary = new ArrayList<>();
        /** jPOS's run of the first closed shape: its rate is offered to every switch variant; null until jPOS ran. */
        RunResult jposClosed;
        /** jPOS's and then each switch variant's open-model run at jPOS's closed rate. */
        final List<RunResult> atJposRate = new ArrayList<>();
        /** Each journaled switch variant's run at 80 % of its saturation rate. */
        final List<LagRun> lag = new ArrayList<>();
        boolean ok = true;

        Results(int shapes) {
            for (int i = 0; i < shapes; i++) {
                closed.add(new ArrayList<>());
            }
        }
    }

    /**
     * Runs the harness as {@code options} say, printing to {@code out}: for each target in turn, its
     * JVM is started, then every closed-loop shape runs, then the saturation steps (or, with neither,
     * one open-model run at {@code --rate}), each followed by its ledger check, and the JVM is stopped.
     * Then the rows by kind of run, the ratios and, with {@code --table}, the tables.
     *
     * @return 0 when every ledger check passed, else 1
     * @throws IOException when the stub's or a target's JVM cannot start, or a stub's ledger cannot be read
     * @throws InterruptedException when interrupted
     */
    static int run(LoadOptions options, PrintStream out) throws IOException, InterruptedException {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(options.generatorThreads(), NioIoHandler.newFactory());
        try (ProcessRig rig = ProcessRig.start(options.mix().timeoutPct() > 0
                && options.target().runs().contains(Target.SWITCH))) {
            return run(options, rig, new LoadGenerator(group, IsoCodec.of(Dialect.ISO87)), out);
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /**
     * {@link #run(LoadOptions, PrintStream)} on the caller's rig and generator, which outlive the run
     * (several runs in turn, e.g. the smoke tests'): a rig that keeps its targets serves a target
     * from the JVM an earlier run left running with the same configuration, and the one generator
     * gives every run terminal ids no earlier run used, so no request repeats one a kept switch saw.
     * {@code --generator-threads} is the caller's to apply.
     *
     * @throws IllegalArgumentException when {@code options} send timeouts to the switch and the rig has no silent issuer
     */
    static int run(LoadOptions options, ProcessRig rig, LoadGenerator generator, PrintStream out)
            throws IOException, InterruptedException {
        out.println(LoadReport.machine());
        out.println("options: " + options);
        out.println("JVMs: the issuer stub and each target run in a JVM of their own (" + System.getProperty("java.home")
                + "/bin/java " + String.join(" ", ChildProcess.jvmFlags()) + "), one target at a time; cpu and alloc per "
                + "transaction are the target's JVM's (stub-direct: the stub's)");
        List<Subject> subjects = subjects(options);
        List<Target> targets = options.target().runs();
        if (options.mix().timeoutPct() > 0 && targets.contains(Target.SWITCH) && !rig.hasSilentIssuer()) {
            throw new IllegalArgumentException("--timeouts needs a rig with the silent issuer");
        }
        if (!options.mix().salesOnly() && !targets.equals(List.of(Target.SWITCH))) {
            out.println("mix: " + options.mix() + " for the switch only; stub, relay and jpos get sales only (they do "
                    + "not detect duplicates, decide voids or reverse), so their rows are not comparable with its row");
        }
        warmUp(options, rig, generator, out);
        Results results = new Results(options.closed().size());
        for (Subject s : subjects) {
            Target t = s.target();
            long started = System.nanoTime();
            if (t == Target.SWITCH) {
                rig.clearStubLedgers(); // every variant numbers its RRNs from the start (see there)
            }
            try (PgSchema schema = s.journal() == LoadOptions.SwitchJournal.PG ? pgSchema(options.journalPg()) : null) {
                boolean fresh = rig.startTarget(t, s.journal() == null ? "" : options.switchYaml(s.journal(),
                        schema == null ? null : schema.url()), requests(options), s.cluster());
                try {
                    out.printf(Locale.ROOT, "== %s: %s%n", s.label(), t == Target.STUB
                            ? "the stub's JVM (pid " + rig.pid(t) + "), nothing between"
                            : String.format(Locale.ROOT, "%s, %s%s%s", s.cluster().nodes() == 0
                                            ? "JVM pid " + rig.pid(t) : "cluster of " + rig.clusterText(), fresh
                                    ? String.format(Locale.ROOT, "ready in %.1f s", (System.nanoTime() - started) / 1e9)
                                    : "kept running from an earlier run", s.journal() == null ? ""
                                    : ", journal " + journalText(s.journal(), options), clusterText(s.cluster())));
                    runTarget(options, s, rig, generator, results, out);
                } finally {
                    rig.stopTarget(t, schema == null); // a schema's switch ends with it
                }
            } catch (SQLException e) {
                throw new IOException("the journal's PostgreSQL schema (" + options.journalPg() + "): " + e.getMessage(), e);
            }
        }
        summarize(options, subjects.stream().map(Subject::label).toList(), results, out);
        out.println(results.ok ? "ledger checks: OK" : "ledger checks: FAILED");
        return results.ok ? 0 : 1;
    }

    private static PgSchema pgSchema(LoadOptions.Postgres server) throws IOException {
        try {
            return PgSchema.create(server);
        } catch (SQLException e) {
            throw new IOException("cannot create a schema for the journal on " + server + ": " + e.getMessage(), e);
        }
    }

    private static String clusterText(Cluster c) {
        return c.nodes() == 0 ? "" : String.format(Locale.ROOT, ", replication %s, %d partitions on one Kafka broker "
                + "(a JVM of its own), each terminal connected to its partition's owner; cpu and alloc: every node's",
                c.replication(), Cluster.PARTITIONS);
    }

    private static String journalText(LoadOptions.SwitchJournal j, LoadOptions o) {
        return switch (j) {
            case H2 -> "on, embedded H2 (as shipped)";
            case OFF -> "off (journal.enabled: false)";
            case PG -> "on, PostgreSQL " + o.journalPg() + " (a schema of its own)";
        };
    }

    /**
     * Before the first target, {@code --warmup} seconds of sales straight to the stub, not measured:
     * otherwise the first target would run against a generator and a stub whose code is not compiled
     * yet, and every later one against warm ones (the stub serves every target).
     */
    private static void warmUp(LoadOptions o, ProcessRig rig, LoadGenerator generator, PrintStream out)
            throws InterruptedException {
        if (o.warmup() == 0) {
            return;
        }
        RunResult r = generator.runClosed("warm-up", rig.ports(Target.STUB),
                new LoadGenerator.Traffic(WARM_UP_SHAPE.connections(), TxnMix.SALES_ONLY, false), WARM_UP_SHAPE, 0,
                o.warmup(), ResourceMeter.NONE);
        out.printf(Locale.ROOT, "warm-up of the generator and the stub, not measured: %d s closed loop %s straight to the "
                + "stub, %.0f TPS, answers %s, errors %d%n", o.warmup(), WARM_UP_SHAPE, r.achievedTps(), r.codes(), r.errors());
    }

    private static LoadGenerator.Traffic traffic(LoadOptions o, Target t) {
        return new LoadGenerator.Traffic(o.connections(), o.mixFor(t), o.connectPerTxn());
    }

    /**
     * Every run of one subject, each followed by its ledger check (the target still up: the switch's
     * SAF may be delivering): its closed loops, its saturation steps or its run at --rate, then with
     * --table its run at jPOS's closed rate and, journaled switch variants, at 80 % of their own.
     */
    private static void runTarget(LoadOptions o, Subject s, ProcessRig rig, LoadGenerator generator, Results results,
                                  PrintStream out) throws IOException, InterruptedException {
        Target t = s.target();
        List<RunResult> held = new ArrayList<>();
        for (int i = 0; i < o.closed().size(); i++) {
            LoadOptions.Shape shape = o.closed().get(i);
            Ledgers before = Ledgers.of(rig);
            double commits = rig.clusterCounter(COMMITS);
            RunResult r = generator.runClosed(s.label(), rig.ports(t), traffic(o, t), shape, o.warmup(), o.duration(),
                    rig.meter(t));
            results.closed.get(i).add(r);
            held.add(r);
            out.println(LoadReport.row(r));
            results.ok &= check(rig, r.expected(), s.label(), before, out);
            if (s.cluster().nodes() > 0) {
                long debits = rig.stubLedger().debitsApproved() - before.stub().debitsApproved();
                double committed = rig.clusterCounter(COMMITS) - commits;
                out.printf(Locale.ROOT, "replication[%s]: %.0f Kafka transactions committed for %d debits (%.1f per "
                        + "transaction; warm-up and drain included)%n", s.label(), committed, debits, debits / committed);
            }
        }
        if (o.saturate() || o.table()) {
            saturate(o, s, rig, generator, results, out);
        } else if (o.closed().isEmpty()) {
            results.fixed.add(openRun(o, s, rig, generator, o.connections(), o.rate(), rig.meter(t), results, out));
        }
        if (!o.table() || held.isEmpty()) {
            return;
        }
        if (t == Target.JPOS) {
            results.jposClosed = held.getFirst();
        }
        if ((t == Target.JPOS || t == Target.SWITCH) && results.jposClosed != null) {
            out.println(s.label() + " at jpos's closed " + results.jposClosed.shape() + " rate, open model:");
            results.atJposRate.add(openRun(o, s, rig, generator, results.jposClosed.shape().connections(),
                    LoadReport.jposRate(results.jposClosed), rig.meter(t), results, out));
        }
        if (t == Target.SWITCH && s.journal().journaled() && s.cluster().nodes() == 0) { // a cluster's lag: not measured
            // its saturation rate: the highest open-model rate it sustained (p99 bound, every request
            // answered), on the connections of the steps; a closed loop's rate is not one (it does not
            // wait for the journal, so a rate "held" closed can be above what the journal sustains)
            RunResult sustained = results.saturation.getLast();
            int connections = sustained != null ? o.connections() : best(held).shape().connections();
            double base = sustained != null ? sustained.offeredTps() : best(held).achievedTps();
            int rate = Math.max(1, (int) Math.round(0.8 * base));
            JournalLag lag = new JournalLag(rig.meter(t), rig::switchMetrics);
            double caughtUp = lag.awaitCaughtUp(JOURNAL_CATCH_UP);
            out.println(caughtUp < 0 ? s.label() + ": its journal had not caught up with the earlier runs after "
                    + JOURNAL_CATCH_UP.toSeconds() + " s; its lag below includes that backlog"
                    : String.format(Locale.ROOT, "%s: its journal caught up with the earlier runs in %.1f s", s.label(), caughtUp));
            out.println(s.label() + " at 80 % of " + (sustained != null
                    ? "its saturation rate (" + sustained.offeredTps() + "/s sustained open-model)"
                    : "the highest rate it held closed (no open-model step passed: " + Math.round(base) + ", "
                            + best(held).shape() + ")") + ", open model on " + connections
                    + " connections, journal lag from its /metrics:");
            RunResult r = openRun(o, s, rig, generator, connections, rate, lag, results, out);
            NavigableMap<Double, Double> window = lag.window();
            results.lag.add(new LagRun(r, window));
            out.println(LoadReport.lagLine(s.label(), window));
        }
    }

    private static RunResult best(List<RunResult> held) {
        return held.stream().max(Comparator.comparingDouble(RunResult::achievedTps)).orElseThrow();
    }

    /** One open-model run of {@code s} at {@code rate} on {@code connections} terminals, printed and ledger-checked. */
    private static RunResult openRun(LoadOptions o, Subject s, ProcessRig rig, LoadGenerator generator, int connections,
                                     int rate, ResourceMeter meter, Results results, PrintStream out)
            throws IOException, InterruptedException {
        Ledgers before = Ledgers.of(rig);
        RunResult r = generator.run(s.label(), rig.ports(s.target()),
                new LoadGenerator.Traffic(connections, o.mixFor(s.target()), o.connectPerTxn()), rate, o.warmup(),
                o.duration(), meter);
        out.println(LoadReport.row(r));
        results.ok &= check(rig, r.expected(), s.label(), before, out);
        return r;
    }

    /**
     * Steps the rate up (doubling) until a step fails, then bisects {@value #REFINE_STEPS} times between
     * the highest passing step and the first failing one (to {@value #REFINE_GRAIN}/s); records the
     * highest passing step (null when none): the rate the subject sustains open-model, its saturation rate.
     */
    private static void saturate(LoadOptions o, Subject s, ProcessRig rig, LoadGenerator generator, Results results,
                                 PrintStream out) throws IOException, InterruptedException {
        Target t = s.target();
        out.println(LoadReport.header() + "  step");
        Ledgers before = Ledgers.of(rig);
        RunResult sustained = null;
        int failed = 0;
        LedgerCheck.Expected expected = LedgerCheck.Expected.NONE;
        boolean first = true;
        for (int rate : steps(o.maxRate())) {
            RunResult r = step(o, s, rig, generator, rate, first ? o.warmup() : 1, out);
            first = false;
            expected = expected.plus(r.expected());
            if (!passes(r, o.p99Ms())) {
                failed = rate;
                break;
            }
            sustained = r;
        }
        for (int i = 0; i < REFINE_STEPS && sustained != null && failed > 0; i++) {
            int rate = between(sustained.offeredTps(), failed);
            if (rate == 0) {
                break;
            }
            RunResult r = step(o, s, rig, generator, rate, 1, out);
            expected = expected.plus(r.expected());
            if (passes(r, o.p99Ms())) {
                sustained = r;
            } else {
                failed = rate;
            }
        }
        results.ok &= check(rig, expected, s.label(), before, out);
        results.saturation.add(sustained);
        results.saturationSummary.add(sustained == null
                ? s.label() + ": no step passed"
                : String.format(Locale.ROOT, "%s: sustained %d TPS (achieved %.1f, p99 %.3f ms)", s.label(),
                        sustained.offeredTps(), sustained.achievedTps(), sustained.p99()));
    }

    /**
     * The next refined step between a passing rate and a failing one: their midpoint rounded down
     * to {@value #REFINE_GRAIN}/s, or 0 when no such step lies strictly between them.
     */
    static int between(int passed, int failed) {
        int rate = (passed + failed) / 2 / REFINE_GRAIN * REFINE_GRAIN;
        return rate > passed && rate < failed ? rate : 0;
    }

    /** One saturation step at {@code rate}, printed with its verdict. */
    private static RunResult step(LoadOptions o, Subject s, ProcessRig rig, LoadGenerator generator, int rate,
                                  int warmup, PrintStream out) throws IOException, InterruptedException {
        Target t = s.target();
        RunResult r = generator.run(s.label(), rig.ports(t), traffic(o, t), rate, warmup, o.stepSeconds(), rig.meter(t));
        out.println(LoadReport.row(r) + (passes(r, o.p99Ms()) ? "  pass" : "  FAIL"));
        String kinds = LoadReport.kinds(r);
        if (!kinds.isEmpty()) {
            out.println("  " + kinds);
        }
        return r;
    }

    /** The rows by kind of run, the answers by kind, the ratios; then the tables with {@code --table}. */
    private static void summarize(LoadOptions o, List<String> labels, Results results, PrintStream out) {
        for (List<RunResult> shape : results.closed) {
            out.println();
            out.println("== closed loop " + shape.getFirst().shape() + " (" + shape.getFirst().shape().connections()
                    + " connections, " + shape.getFirst().shape().inFlight() + " in flight each; " + o.warmup()
                    + " s warm-up, " + o.duration() + " s measured; latency from each request's send)");
            rows(shape, out);
        }
        if (!results.fixed.isEmpty()) {
            out.println();
            out.println("== open model, " + o.rate() + " TPS offered (" + o.warmup() + " s warm-up, " + o.duration()
                    + " s measured; latency from each request's due time)");
            rows(results.fixed, out);
        }
        if (!results.saturation.isEmpty()) {
            out.println();
            out.println("saturation (pass: p99 < " + o.p99Ms() + " ms, achieved >= 95% of offered, no errors, every answer "
                    + "the one its kind must get):");
            results.saturationSummary.forEach(s -> out.println("  " + s));
            for (LoadReport.Pair pair : LoadReport.PAIRS) {
                int a = labels.indexOf(pair.a());
                int b = labels.indexOf(pair.b());
                if (a >= 0 && b >= 0 && results.saturation.get(a) != null && results.saturation.get(b) != null) {
                    out.println("  ratio " + pair + " sustained rate: " + LoadReport.ratio(
                            results.saturation.get(a).offeredTps(), results.saturation.get(b).offeredTps()));
                }
            }
        }
        if (o.table()) {
            out.println();
            out.print(LoadReport.table(results.closed, labels, results.saturation, o.p99Ms()));
            if (results.jposClosed != null && !results.atJposRate.isEmpty()) {
                out.println();
                out.print(LoadReport.atJposRateTable(results.jposClosed, results.atJposRate));
            }
            if (!results.lag.isEmpty()) {
                out.println();
                out.print(LoadReport.lagTable(results.lag));
            }
        }
    }

    private static void rows(List<RunResult> results, PrintStream out) {
        out.println(LoadReport.header());
        results.forEach(r -> out.println(LoadReport.row(r)));
        results.stream().map(LoadReport::kinds).filter(k -> !k.isEmpty()).forEach(out::println);
        LoadReport.ratioLines(results).forEach(out::println);
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

    /** The stubs' ledger summaries at one moment, over HTTP ({@code silent} null when the rig has no silent issuer). */
    private record Ledgers(LedgerSummary stub, LedgerSummary silent) {
        static Ledgers of(ProcessRig rig) throws IOException, InterruptedException {
            return new Ledgers(rig.stubLedger(), rig.silentLedger());
        }
    }

    /** {@link #ledgerCheck}, printed. @return whether it holds */
    private static boolean check(ProcessRig rig, LedgerCheck.Expected expected, String label, Ledgers before,
                                 PrintStream out) throws IOException, InterruptedException {
        LedgerCheck check = ledgerCheck(rig, expected, label, before);
        out.println(check);
        return check.ok();
    }

    /**
     * Lets answers already written settle into the ledgers and the switch's SAF deliver the reversals
     * of voids, 0400s and timeouts (at most {@link #SAF_DRAIN_SECONDS} s), then compares.
     */
    private static LedgerCheck ledgerCheck(ProcessRig rig, LedgerCheck.Expected expected, String target, Ledgers before)
            throws IOException, InterruptedException {
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
}
