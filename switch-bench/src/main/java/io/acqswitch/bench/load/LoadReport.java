package io.acqswitch.bench.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/** Formats the harness's output: the machine, one row per run, ratios. Stateless. */
final class LoadReport {
    private static final String COLUMNS = "%-7s %8s %9s %8s %8s %8s %8s %8s %7s %10s %11s  %s";

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
        return String.format(Locale.ROOT, COLUMNS, r.target(), r.offeredTps(), String.format(Locale.ROOT, "%.1f", r.achievedTps()),
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

    /** switch/stub for achieved TPS, p50 and p99: what the switch costs over the bare network and stub. */
    static String ratios(RunResult stub, RunResult sw) {
        return ratios("switch/stub", sw, stub);
    }

    /**
     * {@code a/b} for achieved TPS, p50, p99, CPU and allocation per transaction, and the same for the
     * CPU and allocation over the stub-direct run's ({@code a-stub / b-stub}: what the targets
     * themselves cost, without the simulator and stub they share), when {@code stub} is given.
     */
    static String ratios(String label, RunResult a, RunResult b, RunResult stub) {
        String own = stub == null ? "" : String.format(Locale.ROOT, ", own CPU %s (%.1f vs %.1f us), own alloc %s (%.1f vs %.1f KB)",
                ratio(a.cpuMicrosPerTxn() - stub.cpuMicrosPerTxn(), b.cpuMicrosPerTxn() - stub.cpuMicrosPerTxn()),
                a.cpuMicrosPerTxn() - stub.cpuMicrosPerTxn(), b.cpuMicrosPerTxn() - stub.cpuMicrosPerTxn(),
                ratio(a.allocBytesPerTxn() - stub.allocBytesPerTxn(), b.allocBytesPerTxn() - stub.allocBytesPerTxn()),
                (a.allocBytesPerTxn() - stub.allocBytesPerTxn()) / 1024, (b.allocBytesPerTxn() - stub.allocBytesPerTxn()) / 1024);
        return ratios(label, a, b) + own;
    }

    private static String ratios(String label, RunResult a, RunResult b) {
        return String.format(Locale.ROOT, "ratio %s: achieved TPS %s, p50 %s, p99 %s, CPU/tx %s, alloc/tx %s", label,
                ratio(a.achievedTps(), b.achievedTps()), ratio(a.p50(), b.p50()), ratio(a.p99(), b.p99()),
                ratio(a.cpuMicrosPerTxn(), b.cpuMicrosPerTxn()), ratio(a.allocBytesPerTxn(), b.allocBytesPerTxn()));
    }

    /**
     * The comparison table of BENCHMARKS.md (markdown): per target the sustained rate of a
     * saturation run, and p99, CPU and allocation per transaction at {@code halfRate}; then the
     * switch's ratios against each other target. {@code saturation} holds null for a target whose
     * first step failed.
     */
    static String table(List<RunResult> saturation, List<RunResult> atHalf, int halfRate, double p99Ms) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "| target | sustained TPS (p99 < %s ms) | p99 at %d TPS (ms) | CPU per txn (us) "
                + "| alloc per txn (KB) |%n|---|---|---|---|---|%n", p99Ms, halfRate));
        RunResult sw = null;
        RunResult swSat = null;
        for (int i = 0; i < atHalf.size(); i++) {
            RunResult sat = saturation.get(i);
            RunResult r = atHalf.get(i);
            if (r.target().equals("switch")) {
                sw = r;
                swSat = sat;
            }
            sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %.1f | %.1f |%n", r.target(),
                    sat == null ? "none passed" : String.valueOf(sat.offeredTps()), ms(r.p99()), r.cpuMicrosPerTxn(),
                    r.allocBytesPerTxn() / 1024));
        }
        if (sw != null) {
            sb.append(System.lineSeparator());
            for (int i = 0; i < atHalf.size(); i++) {
                RunResult r = atHalf.get(i);
                RunResult sat = saturation.get(i);
                if (r == sw) {
                    continue;
                }
                sb.append(String.format(Locale.ROOT, "switch/%s: sustained TPS %s, p99 %s, CPU/txn %s, alloc/txn %s%n",
                        r.target(), swSat == null || sat == null ? "n/a" : ratio(swSat.offeredTps(), sat.offeredTps()),
                        ratio(sw.p99(), r.p99()), ratio(sw.cpuMicrosPerTxn(), r.cpuMicrosPerTxn()),
                        ratio(sw.allocBytesPerTxn(), r.allocBytesPerTxn())));
            }
        }
        return sb.toString();
    }

    static String ratio(double a, double b) {
        return b > 0 ? String.format(Locale.ROOT, "%.2fx", a / b) : "n/a";
    }

    private static String ms(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }
}
