package io.acqswitch.bench.load;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The harness's command line: {@code --key value} pairs, every one optional.
 *
 * @param connections  persistent terminal connections, each with its own terminal id
 * @param rate         offered rate in requests per second (open model)
 * @param duration     measured seconds
 * @param warmup       unmeasured seconds before the measurement, same rate
 * @param target       where the traffic goes
 * @param saturate     step the rate up instead of one run at {@code rate}
 * @param maxRate      the highest step of a saturation run
 * @param stepSeconds  measured seconds per saturation step
 * @param p99Ms        a saturation step passes when its p99 is under this
 * @param mix          the transaction mix sent to the switch target (other targets get sales only)
 * @param connectPerTxn a new TCP connection per transaction (GPRS terminals) instead of persistent ones
 * @param generatorThreads the simulator's event-loop threads
 * @param switchWaitStrategy the switch's ring wait strategy ({@code pipeline.waitStrategy}); null = its default
 * @param switchJournal the switch's journal on (its default) or off, to see what the journal costs
 * @param table        saturation of every target, then a fixed-rate run of every target at half the
 *                     switch's sustained rate, then the comparison table (markdown) of BENCHMARKS.md
 */
record LoadOptions(int connections, int rate, int duration, int warmup, Target target, boolean saturate,
                   int maxRate, int stepSeconds, double p99Ms, TxnMix mix, boolean connectPerTxn,
                   int generatorThreads, String switchWaitStrategy, boolean switchJournal, boolean table) {

    /** Where the terminal traffic goes. */
    enum Target {
        /** Straight to the issuer stub: the floor of what the network and the stub cost. */
        STUB,
        /** Through the switch to the same stub. */
        SWITCH,
        /** Through a zero-logic Netty relay to the same stub: the ceiling of TCP in, TCP out. */
        RELAY,
        /** Through a jPOS Q2 switch (QServer, QMUX) to the same stub: the incumbent. */
        JPOS,
        /** Stub first, then switch, and the ratio of the two. */
        BOTH,
        /** Stub, relay, switch, jPOS in turn, with the ratios. */
        ALL;

        /** The targets this one runs, in order. */
        List<Target> runs() {
            return switch (this) {
                case BOTH -> List.of(STUB, SWITCH);
                case ALL -> List.of(STUB, RELAY, SWITCH, JPOS);
                default -> List.of(this);
            };
        }
    }

    static final String USAGE = """
            options (all --key value, all optional):
              --connections N     terminals, one terminal id and persistent connection each (8)
              --rate TPS          offered rate, open model (2000)
              --duration SECONDS  measured seconds (10)
              --warmup SECONDS    unmeasured seconds first (3)
              --target T          stub | relay | switch | jpos | both | all (both)
              --saturate BOOL     step the rate 500, 1000, 2000, ... up to --max-rate (false)
              --max-rate TPS      highest saturation step (8000)
              --step-seconds S    measured seconds per step (5)
              --p99-ms MS         a step passes with p99 under this (10)
              --mix SPEC          switch target only: weights of sale, duplicate, void, reversal,
                                  e.g. sale=80,duplicate=10,void=5,reversal=5 (sale=100); the other
                                  targets get sales only
              --timeouts PCT      switch target only: % of sales to a card whose issuer never answers;
                                  the switch answers them 68 after 1 s and reverses them (0)
              --connect-per-txn BOOL  a new TCP connection per transaction, like GPRS terminals (false)
              --generator-threads N   the simulator's event-loop threads (1)
              --switch-wait-strategy S  the switch's pipeline.waitStrategy: blocking, sleeping or
                                  yielding (the switch's default, blocking)
              --switch-journal BOOL  the switch's journal (embedded H2) on or off (true)
              --table BOOL        saturation of every --target, then every target at half the switch's
                                  sustained rate (--duration s), then BENCHMARKS.md's table (false)""";

    /** The switch's configuration lines these options add to the harness's (wait strategy, journal). */
    String switchYaml() {
        return (switchWaitStrategy == null ? "" : "pipeline: {waitStrategy: " + switchWaitStrategy + "}\n")
                + (switchJournal ? "" : "journal: {enabled: false}\n");
    }

    /** The same options with another fixed {@code rate} and no stepping. */
    LoadOptions atRate(int newRate) {
        return new LoadOptions(connections, newRate, duration, warmup, target, false, maxRate, stepSeconds, p99Ms, mix,
                connectPerTxn, generatorThreads, switchWaitStrategy, switchJournal, table);
    }

    /** @throws IllegalArgumentException naming the first bad option as {@code --key=value: why} */
    static LoadOptions parse(String... args) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            String key = args[i];
            if (!key.startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException(key + ": expected --key value pairs");
            }
            m.put(key.substring(2), args[i + 1]);
        }
        LoadOptions o = new LoadOptions(
                positive(m, "connections", 8),
                positive(m, "rate", 2000),
                positive(m, "duration", 10),
                atLeastZero(m, "warmup", 3),
                target(m.remove("target")),
                bool(m, "saturate"),
                positive(m, "max-rate", 8000),
                positive(m, "step-seconds", 5),
                p99(m.remove("p99-ms")),
                TxnMix.parse(m.remove("mix"), m.remove("timeouts")),
                bool(m, "connect-per-txn"),
                positive(m, "generator-threads", 1),
                waitStrategy(m.remove("switch-wait-strategy")),
                bool(m, "switch-journal", true),
                bool(m, "table"));
        if (!m.isEmpty()) {
            throw new IllegalArgumentException("--" + m.keySet().iterator().next() + ": unknown option");
        }
        return o;
    }

    private static int positive(Map<String, String> m, String key, int dflt) {
        int v = integer(m, key, dflt);
        if (v <= 0) {
            throw new IllegalArgumentException("--" + key + "=" + v + ": must be > 0");
        }
        return v;
    }

    private static int atLeastZero(Map<String, String> m, String key, int dflt) {
        int v = integer(m, key, dflt);
        if (v < 0) {
            throw new IllegalArgumentException("--" + key + "=" + v + ": must be >= 0");
        }
        return v;
    }

    private static int integer(Map<String, String> m, String key, int dflt) {
        String s = m.remove(key);
        if (s == null) {
            return dflt;
        }
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + key + "=" + s + ": not an integer", e);
        }
    }

    private static Target target(String s) {
        if (s == null) {
            return Target.BOTH;
        }
        try {
            return Target.valueOf(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--target=" + s + ": stub, relay, switch, jpos, both or all", e);
        }
    }

    private static boolean bool(Map<String, String> m, String key) {
        return bool(m, key, false);
    }

    private static boolean bool(Map<String, String> m, String key, boolean dflt) {
        String s = m.remove(key);
        if (s == null) {
            return dflt;
        }
        if (s.equals("false")) {
            return false;
        }
        if (s.equals("true")) {
            return true;
        }
        throw new IllegalArgumentException("--" + key + "=" + s + ": true or false");
    }

    private static String waitStrategy(String s) {
        if (s == null || List.of("blocking", "sleeping", "yielding").contains(s)) {
            return s;
        }
        throw new IllegalArgumentException("--switch-wait-strategy=" + s + ": blocking, sleeping or yielding");
    }

    /** The mix {@code target} gets: only the switch understands duplicates, voids, reversals and timeouts. */
    TxnMix mixFor(Target t) {
        return t == Target.SWITCH ? mix : TxnMix.SALES_ONLY;
    }

    private static double p99(String s) {
        if (s == null) {
            return 10;
        }
        try {
            double v = Double.parseDouble(s);
            if (v > 0) {
                return v;
            }
        } catch (NumberFormatException e) {
            // fall through to the message below
        }
        throw new IllegalArgumentException("--p99-ms=" + s + ": a number > 0");
    }
}
