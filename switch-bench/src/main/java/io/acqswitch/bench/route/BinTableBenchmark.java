package io.acqswitch.bench.route;

import io.acqswitch.config.SwitchConfig;
import io.acqswitch.route.BinTable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * BIN lookup against a table of {@code routes} random 6- and 8-digit prefixes plus a few short
 * ranges. Baselines in the same run: {@code baselinePanOnly} (picking the PAN and touching it) and
 * {@code naiveSubstringMap} (the allocate-a-substring-and-hash approach BinTable avoids, 6 digits only).
 * Run with {@code -prof gc} to see {@code gc.alloc.rate.norm} (BinTable: 0 B/op).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = "-Xmx512m")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class BinTableBenchmark {
    @Param({"100", "10000"})
    int routes;

    private BinTable table;
    private Map<String, String> naive;
    private String[] pans;
    private int next;

    @Setup
    public void setUp() {
        Random random = new Random(42);
        List<SwitchConfig.Route> list = new ArrayList<>();
        naive = new HashMap<>();
        list.add(new SwitchConfig.Route("4", null, null, "issuer-a"));
        list.add(new SwitchConfig.Route(null, "51", "55", "issuer-b"));
        list.add(new SwitchConfig.Route(null, "2221", "2720", "issuer-b"));
        for (int i = 0; i < routes; i++) {
            boolean eight = random.nextBoolean();
            String prefix = String.valueOf(eight ? 30_000_000 + random.nextInt(69_999_999) : 300_000 + random.nextInt(699_999));
            String issuer = random.nextBoolean() ? "issuer-a" : "issuer-b";
            if (naive.putIfAbsent(prefix, issuer) == null) {
                list.add(new SwitchConfig.Route(prefix, null, null, issuer));
            }
        }
        BinTable.Result result = BinTable.build(new SwitchConfig.Routing(list, "issuer-a"), Set.of("issuer-a", "issuer-b"), "routing");
        if (!(result instanceof BinTable.Result.Built built)) {
            throw new IllegalStateException(result.toString());
        }
        table = built.table();
        pans = new String[1024];
        for (int i = 0; i < pans.length; i++) {
            StringBuilder pan = new StringBuilder(16);
            pan.append(3 + random.nextInt(7));
            while (pan.length() < 16) {
                pan.append(random.nextInt(10));
            }
            pans[i] = pan.toString();
        }
    }

    private String nextPan() {
        next = (next + 1) & (pans.length - 1);
        return pans[next];
    }

    @Benchmark
    public char baselinePanOnly() {
        return nextPan().charAt(0);
    }

    @Benchmark
    public String binTable() {
        return table.route(nextPan());
    }

    @Benchmark
    public String naiveSubstringMap() {
        return naive.get(nextPan().substring(0, 6));
    }
}
