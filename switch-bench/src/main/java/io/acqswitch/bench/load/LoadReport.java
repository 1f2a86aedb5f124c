package io.acqswitch.bench.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Formats the harness's output: the machine, one row per run (the {@code offered} column holds a
 * closed loop's shape, e.g. {@code 50x1}), ratios, the tables. Stateless.
 */
final class LoadReport {
    private static final String COLUMNS = "%-10s %8s %9s %8s %8s %8s %8s %8s %7s %10s %11s  %s";

    private LoadReport() {}

    /** Cores, CPU model and JVM: what a number is worthless without. */
    static String machine() {
        String cpu = "unknown CPU";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse(cpu);
        } catch (IOException | RuntimeException e) {
            // not Linux: keep "unknown CPU"
        }
        return "machine: " + Runtime.getRuntime().availableProcessors() + " cores, " + cpu + ", " + System.getProperty("java.vm.name")
                + " " + System.getProperty("java.runtime.version") + ", max heap "
                + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MiB";
    }

    static String header() {
        return String.format(Locale.ROOT, COLUMNS, "target", "offered", "achieved", "p50 ms", "p90 ms", "p99 ms",
                "p99.9 ms", "max ms", "errors", "cpu us/tx", "alloc KB/tx", "answers by field 39 (measured window)");
    }

    static String row(RunResult r) {
        String codes = r.codes().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(" "));
        return String.format(Locale.ROOT, COLUMNS, r.target(), r.shape() != null ? r.shape() : r.offeredTps(), String.format(Locale.ROOT, "%.1f", r.achievedTps()),
                ms(r.p50()), ms(r.p90()), ms(r.p99()), ms(r.p999()), ms(r.max()), r.errors(),
                String.format(Locale.ROOT, "%.1f", r.cpuMicrosPerTxn()),
                String.format(Locale.ROOT, "%.1f", r.allocBytesPerTxn() / 1024), codes.isEmpty() ? "-" : codes) + (r.unmatched() > 0 ? "  unmatched=" + r.unmatched() : "");
    }

    /**
     * What was answered to each kind of request in the window, by field 39, and how many answers were
     * not what their kind must get (e.g. {@code switch by kind: sale 80 [00=80], void 5 [00=4 22=1];
     * unexpected answers 1}); empty for sales only.
     */
    static String kinds(RunResult r) {
        if (r.byKind().keySet().equals(Set.of(TxnMix.Kind.SALE))) {
            return "";
        }
        String kinds = r.byKind().entrySet().stream().map(e -> e.getKey().label() + " "
                + e.getValue().values().stream().mapToLong(Long::longValue).sum() + " [" + e.getValue().entrySet().stream()
                        .map(c -> c.getKey() + "=" + c.getValue()).collect(Collectors.joining(" ")) + "]")
                .collect(Collectors.joining(", "));
        return r.target() + " by kind (answers in the measured window by field 39): " + kinds + "; unexpected answers "
                + r.unexpected();
    }

    /**
     * Two subjects compared, {@code a/b}.
     *
     * @param goal what an open issue asks of the ratio (e.g. {@code >= 1.0 (#16)}); empty for none
     */
    record Pair(String a, String b, String goal) {
        /** {@code switch/jpos}. */
        @Override
        public String toString() {
            return a + "/" + b;
        }
    }

    /**
     * The pairs compared, where both ran: each switch variant against the incumbent, the journal on
     * against off (embedded H2 and PostgreSQL), the switch without its journal against the ceiling;
     * then the switch as shipped and the incumbent against the ceiling, and each against stub-direct
     * (the floor: network, simulator and stub alone).
     */
    static final List<Pair> PAIRS = List.of(new Pair("switch", "jpos", ">= 1.0 (#16)"),
            new Pair("switch-off", "jpos", ">= 1.5 (#16)"), new Pair("switch-pg", "jpos", ""),
            new Pair("switch", "switch-off", ">= 0.85 (#17)"), new Pair("switch-pg", "switch-off", ">= 0.85 (#17)"),
            new Pair("switch-off", "relay", "the goal beyond (#16)"), new Pair("switch", "relay", ""),
            new Pair("jpos", "relay", ""), new Pair("switch", "stub", ""), new Pair("jpos", "stub", ""),
            new Pair("relay", "stub", ""));

    /** {@code a/b} for achieved TPS, p50, p99, and the CPU and allocation per transaction of each one's JVM. */
    static String ratios(String label, RunResult a, RunResult b) {
        return String.format(Locale.ROOT, "ratio %s: achieved TPS %s, p50 %s, p99 %s, CPU/tx %s, alloc/tx %s", label,
                ratio(a.achievedTps(), b.achievedTps()), ratio(a.p50(), b.p50()), ratio(a.p99(), b.p99()),
                ratio(a.cpuMicrosPerTxn(), b.cpuMicrosPerTxn()), ratio(a.allocBytesPerTxn(), b.allocBytesPerTxn()));
    }

    /** {@link #ratios} for every pair of {@link #PAIRS} present in {@code results} (one run per target). */
    static List<String> ratioLines(List<RunResult> results) {
        Map<String, RunResult> byTarget = new LinkedHashMap<>();
        results.forEach(r -> byTarget.put(r.target(), r));
        List<String> lines = new ArrayList<>();
        for (Pair pair : PAIRS) {
            if (byTarget.containsKey(pair.a()) && byTarget.containsKey(pair.b())) {
                lines.add(ratios(pair.toString(), byTarget.get(pair.a()), byTarget.get(pair.b()))
                        + (pair.goal().isEmpty() ? "" : "; TPS goal " + pair.goal()));
            }
        }
        return lines;
    }

    /**
     * The comparison tables of BENCHMARKS.md (markdown). First one row per load and target: each
     * closed-loop shape with the throughput it held, its latency percentiles and the target JVM's CPU
     * and allocation per transaction; then the open-model saturation, with the highest step that
     * passed and that step's figures. Then one row per pair of {@link #PAIRS}: the ratios of
     * throughput, p99 and CPU per transaction for each shape, and of the sustained rates.
     *
     * @param closed     per shape, one result per target (in the same target order each)
     * @param saturation per target, its highest passing step (null when none passed); empty when no saturation ran
     */
    static String table(List<List<RunResult>> closed, List<String> targets, List<RunResult> saturation, double p99Ms) {
        StringBuilder sb = new StringBuilder();
        String nl = System.lineSeparator();
        sb.append("| load | target | TPS | p50 ms | p99 ms | p99.9 ms | CPU per txn (us) | alloc per txn (KB) | errors |")
                .append(nl).append("|---|---|---:|---:|---:|---:|---:|---:|---:|").append(nl);
        for (List<RunResult> shape : closed) {
            for (RunResult r : shape) {
                sb.append(tableRow(r.load(), r.target(), String.format(Locale.ROOT, "%.1f", r.achievedTps()), r)).append(nl);
            }
        }
        String open = "open, highest step with p99 < " + num(p99Ms) + " ms";
        for (int i = 0; i < saturation.size(); i++) {
            RunResult r = saturation.get(i);
            sb.append(r == null ? "| " + open + " | " + targets.get(i) + " | none passed | | | | | | |"
                    : tableRow(open, r.target(), String.valueOf(r.offeredTps()), r)).append(nl);
        }
        sb.append(nl).append("| ratio |");
        StringBuilder rule = new StringBuilder("|---|");
        for (List<RunResult> shape : closed) {
            String load = shape.getFirst().load();
            sb.append(' ').append(load).append(" TPS | ").append(load).append(" p99 | ").append(load).append(" CPU/txn |");
            rule.append("---:|---:|---:|");
        }
        if (!saturation.isEmpty()) {
            sb.append(" open sustained TPS |");
            rule.append("---:|");
        }
        sb.append(" TPS goal |");
        rule.append("---|");
        sb.append(nl).append(rule).append(nl);
        for (Pair pair : PAIRS) {
            int a = targets.indexOf(pair.a());
            int b = targets.indexOf(pair.b());
            if (a < 0 || b < 0) {
                continue;
            }
            sb.append("| ").append(pair).append(" |");
            for (List<RunResult> shape : closed) {
                RunResult ra = shape.get(a);
                RunResult rb = shape.get(b);
                sb.append(' ').append(ratio(ra.achievedTps(), rb.achievedTps())).append(" | ")
                        .append(ratio(ra.p99(), rb.p99())).append(" | ")
                        .append(ratio(ra.cpuMicrosPerTxn(), rb.cpuMicrosPerTxn())).append(" |");
            }
            if (!saturation.isEmpty()) {
                RunResult sa = saturation.get(a);
                RunResult sb2 = saturation.get(b);
                sb.append(' ').append(sa == null || sb2 == null ? "n/a" : ratio(sa.offeredTps(), sb2.offeredTps())).append(" |");
            }
            sb.append(' ').append(pair.goal()).append(" |").append(nl);
        }
        return sb.toString();
    }

    /**
     * p99 at jPOS's sustained rate (#16: the switch's at most jPOS's): the rate jPOS held in its
     * first closed shape, offered open-model to jPOS and to each switch variant, each row's p99
     * beside jPOS's in that closed loop and in its own open run at the rate.
     *
     * @param atRate jPOS's open run first, then each switch variant's
     */
    static String atJposRateTable(RunResult jposClosed, List<RunResult> atRate) {
        String nl = System.lineSeparator();
        RunResult jposOpen = atRate.getFirst().target().equals("jpos") ? atRate.getFirst() : null;
        StringBuilder sb = new StringBuilder("p99 at jpos's sustained rate: " + jposRate(jposClosed)
                + " TPS (what jpos held closed " + jposClosed.shape() + ", p99 " + ms(jposClosed.p99())
                + " ms), offered open-model on " + jposClosed.shape().connections()
                + " connections; latency from each request's due time").append(nl).append(nl);
        sb.append("| target | offered | achieved | p50 ms | p99 ms | p99 / jpos closed p99 | p99 / jpos open p99 | errors |")
                .append(nl).append("|---|---:|---:|---:|---:|---:|---:|---:|").append(nl);
        for (RunResult r : atRate) {
            sb.append(String.format(Locale.ROOT, "| %s | %d | %.1f | %s | %s | %s | %s | %d |", r.target(), r.offeredTps(),
                    r.achievedTps(), ms(r.p50()), ms(r.p99()), ratio(r.p99(), jposClosed.p99()),
                    jposOpen == null ? "n/a" : ratio(r.p99(), jposOpen.p99()), r.errors())).append(nl);
        }
        return sb.toString();
    }

    /** jPOS's closed-loop rate as an open model's rate: its achieved TPS, whole. */
    static int jposRate(RunResult jposClosed) {
        return Math.max(1, (int) Math.round(jposClosed.achievedTps()));
    }

    /** {@code switch journal lag in the window: 12345 rows committed, p50 ... s, p99 ... s}. */
    static String lagLine(String label, NavigableMap<Double, Double> lag) {
        return String.format(Locale.ROOT, "%s journal lag (rows committed in the window: %.0f): p50 %s s, p99 %s s, "
                + "p99 goal <= 2 s (#17)", label, JournalLag.count(lag), seconds(JournalLag.quantile(0.5, lag)),
                seconds(JournalLag.quantile(0.99, lag)));
    }

    /**
     * Journal lag at 80 % of each journaled switch variant's saturation rate (#17: p99 at most 2 s):
     * the run's figures and the lag quantiles of the rows committed in its window.
     */
    static String lagTable(List<LoadHarness.LagRun> runs) {
        String nl = System.lineSeparator();
        StringBuilder sb = new StringBuilder("journal lag at 80 % of each journaled switch's saturation rate (the highest "
                + "open-model rate it sustained, refined), open model on the steps' connections; lag = a change's store write to its row's commit, from the switch's "
                + "switch_journal_lag_seconds buckets, interpolated within a bucket").append(nl).append(nl);
        sb.append("| target | offered | achieved | p99 ms | rows committed | lag p50 s | lag p99 s | lag p99 goal |")
                .append(nl).append("|---|---:|---:|---:|---:|---:|---:|---|").append(nl);
        for (LoadHarness.LagRun l : runs) {
            RunResult r = l.run();
            sb.append(String.format(Locale.ROOT, "| %s | %d | %.1f | %s | %.0f | %s | %s | <= 2 s (#17) |", r.target(),
                    r.offeredTps(), r.achievedTps(), ms(r.p99()), JournalLag.count(l.lag()),
                    seconds(JournalLag.quantile(0.5, l.lag())), seconds(JournalLag.quantile(0.99, l.lag())))).append(nl);
        }
        return sb.toString();
    }

    private static String seconds(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }

    private static String tableRow(String load, String target, String tps, RunResult r) {
        return String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %.1f | %.1f | %d |", load, target, tps,
                ms(r.p50()), ms(r.p99()), ms(r.p999()), r.cpuMicrosPerTxn(), r.allocBytesPerTxn() / 1024, r.errors());
    }

    private static String num(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }

    static String ratio(double a, double b) {
        return b > 0 ? String.format(Locale.ROOT, "%.2fx", a / b) : "n/a";
    }

    private static String ms(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }
}
