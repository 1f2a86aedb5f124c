package io.acqswitch.bench.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.stream.Collectors;

/** Formats the harness's output: the machine, one row per run, ratios. Stateless. */
final class LoadReport {
    private static final String COLUMNS = "%-7s %8s %9s %8s %8s %8s %8s %8s %7s  %s";

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
                "p99.9 ms", "max ms", "errors", "answers by field 39 (measured window)");
    }

    static String row(RunResult r) {
        String codes = r.codes().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(" "));
        return String.format(Locale.ROOT, COLUMNS, r.target(), r.offeredTps(), String.format(Locale.ROOT, "%.1f", r.achievedTps()),
                ms(r.p50()), ms(r.p90()), ms(r.p99()), ms(r.p999()), ms(r.max()), r.errors(),
                codes.isEmpty() ? "-" : codes) + (r.unmatched() > 0 ? "  unmatched=" + r.unmatched() : "");
    }

    /** switch/stub for achieved TPS, p50 and p99: what the switch costs over the bare network and stub. */
    static String ratios(RunResult stub, RunResult sw) {
        return String.format(Locale.ROOT, "ratio switch/stub: achieved TPS %s, p50 %s, p99 %s",
                ratio(sw.achievedTps(), stub.achievedTps()), ratio(sw.p50(), stub.p50()), ratio(sw.p99(), stub.p99()));
    }

    static String ratio(double a, double b) {
        return b > 0 ? String.format(Locale.ROOT, "%.2fx", a / b) : "n/a";
    }

    private static String ms(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }
}
