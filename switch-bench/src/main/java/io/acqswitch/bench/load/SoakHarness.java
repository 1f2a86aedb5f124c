package io.acqswitch.bench.load;

import io.acqswitch.bench.load.LoadOptions.Target;
import io.acqswitch.iso.Dialect;
import io.acqswitch.iso.IsoCodec;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Soak mode of the load harness: one long run at a fixed rate through the switch (the harness's
 * rig and generator), sampled every {@code --sample-seconds}: latency of the interval (p50, p99,
 * max; coordinated-omission corrected), achieved TPS, errors, heap (in use and after the last GC),
 * GC count and time, open file descriptors, the store's records and disk, the journal's disk and
 * backlog. Writes {@code soak.csv}, {@code soak.png} and {@code soak.txt} (the verdict) into
 * {@code --out}, prints a verdict on growth (first vs last third, {@link SoakVerdict}) and ends with
 * the ledger check.
 *
 * <pre>
 *   java &lt;JVM flags of ./acqswitch&gt; -cp switch-bench/target/benchmarks.jar \
 *        io.acqswitch.bench.load.SoakHarness [--key value ...]      (or: ./acqswitch soak ...)
 *
 *   --rate TPS              offered rate, open model (400)
 *   --duration SECONDS      seconds of load after the warm-up (1800)
 *   --warmup SECONDS        seconds first, sampled but left out of the verdict (3)
 *   --connections N         persistent terminal connections (8)
 *   --sample-seconds S      sample interval (10)
 *   --out DIR               where the CSV, PNG and verdict go (soak-out)
 * </pre>
 *
 * <p>The issuer stub's ledger is rolled up at every sample (counted, then cleared) so the judge's
 * memory does not grow the heap being watched. Exit code: 0 when the ledger check passes and nothing
 * grows, 1 when the ledger check fails, 2 for bad options, 3 when something grows.
 */
public final class SoakHarness {
    private static final Set<String> NOT_FOR_SOAK = Set.of("--target", "--saturate", "--max-rate", "--step-seconds",
            "--p99-ms", "--table", "--mix", "--timeouts", "--closed", "--journal-pg", "--journal-pg-user",
            "--journal-pg-password");
    private static final Map<String, String> DEFAULTS = Map.of("--rate", "400", "--duration", "1800");

    private SoakHarness() {}

    /** The soak's own options and the harness options it passes on. */
    record Options(LoadOptions load, int sampleSeconds, Path out) {}

    public static void main(String[] args) throws IOException, InterruptedException {
        Options options;
        try {
            options = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("soak: " + e.getMessage());
            System.exit(2);
            return;
        }
        System.exit(run(options, System.out));
    }

    /** @throws IllegalArgumentException naming the first bad option */
    static Options parse(String... args) {
        Map<String, String> load = new LinkedHashMap<>(DEFAULTS);
        int sampleSeconds = 10;
        Path out = Path.of("soak-out");
        for (int i = 0; i < args.length; i += 2) {
            String key = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(key + ": expected --key value pairs");
            }
            String value = args[i + 1];
            switch (key) {
                case "--sample-seconds" -> sampleSeconds = sampleSeconds(value);
                case "--out" -> out = Path.of(value);
                default -> {
                    if (NOT_FOR_SOAK.contains(key)) {
                        throw new IllegalArgumentException(key + ": not a soak option (the soak drives sales through the switch at one rate)");
                    }
                    load.put(key, value);
                }
            }
        }
        List<String> rest = new ArrayList<>();
        load.forEach((k, v) -> {
            rest.add(k);
            rest.add(v);
        });
        LoadOptions parsed = LoadOptions.parse(rest.toArray(String[]::new));
        parsed.switchYaml(); // one switch: a single journal variant, h2 or off
        return new Options(parsed, sampleSeconds, out);
    }

    private static int sampleSeconds(String s) {
        if (!s.matches("[1-9][0-9]{0,5}")) {
            throw new IllegalArgumentException("--sample-seconds=" + s + ": an integer > 0");
        }
        return Integer.parseInt(s);
    }

    /**
     * Runs the soak as {@code options} say, printing samples and the verdict to {@code out}.
     *
     * @return 0, 1 (ledger check failed) or 3 (something grows)
     * @throws IOException when the rig cannot start or the output cannot be written
     * @throws InterruptedException when interrupted
     */
    static int run(Options options, PrintStream out) throws IOException, InterruptedException {
        LoadOptions o = options.load();
        Files.createDirectories(options.out());
        List<String> summary = new ArrayList<>(List.of(LoadReport.machine(), "soak: " + o.rate() + " TPS for "
                + o.warmup() + " + " + o.duration() + " s, " + o.connections() + " connections, a sample every "
                + options.sampleSeconds() + " s"));
        summary.forEach(out::println);
        out.println(SoakSample.CSV_HEADER);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "soak-sampler");
            t.setDaemon(true);
            return t;
        });
        Path csvFile = options.out().resolve("soak.csv");
        try (LoadRig rig = LoadRig.start(List.of(Target.SWITCH), LoadHarness.storeEntries(o),
                o.switchYaml());
             PrintWriter csv = new PrintWriter(Files.newBufferedWriter(csvFile, StandardCharsets.UTF_8))) {
            csv.println(SoakSample.CSV_HEADER);
            double liveBefore = SoakSampler.liveHeapMb();
            SoakSampler sampler = new SoakSampler(rig, o.warmup());
            LoadGenerator generator = new LoadGenerator(group, IsoCodec.of(Dialect.ISO87), sampler);
            List<SoakSample> samples = new ArrayList<>(); // the ticker's until it is terminated, then this thread's
            Consumer<Boolean> take = drain -> {
                SoakSample s = sampler.sample(drain);
                samples.add(s);
                csv.println(s.csv());
                csv.flush();
                out.println(s.line());
            };
            sampler.start();
            ticker.scheduleAtFixedRate(() -> {
                try {
                    take.accept(false);
                } catch (RuntimeException e) {
                    out.println("soak: a sample failed: " + e); // keep sampling
                }
            }, options.sampleSeconds(), options.sampleSeconds(), TimeUnit.SECONDS);
            // sales only: the sampler's ledger check counts approved debits (see SoakSampler#ledgerCheck)
            int port = rig.port(Target.SWITCH);
            RunResult r = generator.run("switch", terminal -> port,
                    new LoadGenerator.Traffic(o.connections(), TxnMix.SALES_ONLY, o.connectPerTxn()), o.rate(), o.warmup(),
                    o.duration());
            ticker.shutdown();
            if (!ticker.awaitTermination(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the sampler did not stop within 30 s");
            }
            Thread.sleep(300); // as the harness: a reversal after a lost answer would start within a tick
            take.accept(true); // the rest: the generator's drain
            LedgerCheck check = sampler.ledgerCheck(r.expected().approvedSales());
            double liveAfter = SoakSampler.liveHeapMb();
            SoakChart.write(options.out().resolve("soak.png"), String.format(Locale.ROOT, "switch soak: %d TPS, %d s, %s",
                    o.rate(), o.duration(), LoadReport.machine().substring("machine: ".length())), samples);
            SoakVerdict verdict = SoakVerdict.of(samples, liveBefore, liveAfter);
            summary.add("whole run: " + LoadReport.header().trim());
            summary.add("whole run: " + LoadReport.row(r));
            summary.addAll(verdict.lines());
            summary.add(check.toString());
            summary.add(check.ok() ? "ledger checks: OK" : "ledger checks: FAILED");
            Files.write(options.out().resolve("soak.txt"), summary, StandardCharsets.UTF_8);
            summary.subList(2, summary.size()).forEach(out::println);
            out.println("wrote " + csvFile + ", " + options.out().resolve("soak.png") + ", " + options.out().resolve("soak.txt"));
            return !check.ok() ? 1 : verdict.grows() ? 3 : 0;
        } finally {
            ticker.shutdownNow();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
