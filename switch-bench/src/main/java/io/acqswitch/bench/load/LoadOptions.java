package io.acqswitch.bench.load;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The harness's command line: {@code --key value} pairs, every one optional.
 *
 * @param connections  open model: persistent terminal connections, each with its own terminal id
 *                     (a closed loop has its shape's)
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
 * @param switchJournals the switch's variants, each run as a target of its own: its journal on
 *                     embedded H2 (as shipped), off, or on PostgreSQL ({@code journalPg}); {@link #table}
 *                     defaults them to every one it can run
 * @param journalPg    the PostgreSQL server of the {@link SwitchJournal#PG} variant; null = none
 * @param switchClusters the switch's cluster variants, each (times each journal variant) a target of
 *                     its own: alone (no {@code cluster:} section), or N nodes in JVMs of their own on
 *                     one Kafka broker, replication sync or async
 * @param table        every closed-loop shape, then the saturation steps, of every target, then jPOS's
 *                     sustained rate through each switch variant, the journal lag at 80 % of each
 *                     journaled variant's rate, then the comparison tables (markdown) of BENCHMARKS.md
 * @param closed       closed-loop shapes to run each target at (empty: none); {@link #table} defaults
 *                     them to {@link #TABLE_SHAPES}
 */
record LoadOptions(int connections, int rate, int duration, int warmup, Target target, boolean saturate,
                   int maxRate, int stepSeconds, double p99Ms, TxnMix mix, boolean connectPerTxn,
                   int generatorThreads, String switchWaitStrategy, List<SwitchJournal> switchJournals,
                   Postgres journalPg, List<Cluster> switchClusters, boolean table, List<Shape> closed) {

    /** The closed-loop shapes of the comparison table: many terminals one request each, fewer pipelining. */
    static final List<Shape> TABLE_SHAPES = List.of(new Shape(50, 1), new Shape(20, 8));

    /**
     * A closed loop: {@code connections} persistent connections, each keeping {@code inFlight}
     * requests outstanding (the next is sent as soon as an answer arrives), whatever the rate.
     */
    record Shape(int connections, int inFlight) {
        /** {@code 50x1}. */
        @Override
        public String toString() {
            return connections + "x" + inFlight;
        }
    }

    /** The switch's journal in one of its variants; each variant is a switch target of its own. */
    enum SwitchJournal {
        /** As shipped: the journal on, embedded H2 in the switch's JVM. */
        H2("switch"),
        /** {@code journal.enabled: false}: the switch on its store alone. */
        OFF("switch-off"),
        /** The journal on a PostgreSQL server ({@code --journal-pg}). */
        PG("switch-pg");

        private final String label;

        SwitchJournal(String label) {
            this.label = label;
        }

        /** The variant's name in rows and ratios: {@code switch}, {@code switch-off}, {@code switch-pg}. */
        String label() {
            return label;
        }

        /** Whether this variant writes a journal (and so has a journal lag). */
        boolean journaled() {
            return this != OFF;
        }
    }

    /**
     * The switch alone ({@link #ALONE}: no {@code cluster:} section) or as a cluster of {@code nodes}
     * JVMs on one Kafka broker, replicating {@code sync} or {@code async}.
     */
    record Cluster(int nodes, String replication) {
        static final Cluster ALONE = new Cluster(0, "");
        /** The state topic's partitions: the switch's default, so 1, 2, 3, 4, 6 or 12 nodes share them evenly. */
        static final int PARTITIONS = 12;

        /** The variant's suffix in rows and ratios: none alone, else {@code -3n-sync}. */
        String suffix() {
            return nodes == 0 ? "" : "-" + nodes + "n-" + replication;
        }

        /** As the option spells it: {@code alone}, {@code 3-sync}. */
        @Override
        public String toString() {
            return nodes == 0 ? "alone" : nodes + "-" + replication;
        }
    }

    /**
     * A PostgreSQL server for the journal: the harness gives each run a schema of its own on it.
     *
     * @param url JDBC URL of a database the user may create schemas in
     */
    record Postgres(String url, String user, String password) {
        /** The password left out. */
        @Override
        public String toString() {
            return url + " as " + user;
        }
    }

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
        /** Stub, relay, jPOS, switch in turn, with the ratios (jPOS before the switch: its rate is the switch's yardstick). */
        ALL;

        /** {@code stub}, {@code switch}, ...: as in the options and the output. */
        String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The targets this one runs, in order. */
        List<Target> runs() {
            return switch (this) {
                case BOTH -> List.of(STUB, SWITCH);
                case ALL -> List.of(STUB, RELAY, JPOS, SWITCH);
                default -> List.of(this);
            };
        }
    }

    static final String USAGE = """
            options (all --key value, all optional):
              --connections N     open model: terminals, one terminal id and persistent connection each (8);
                                  a closed loop's come from --closed
              --rate TPS          offered rate, open model (2000)
              --closed NxW[,NxW]  closed loop instead: N connections with W requests in flight each, the
                                  next sent when an answer comes, e.g. 50x1 or 50x1,20x8; one run of each
                                  target per shape, --warmup then --duration seconds (none)
              --duration SECONDS  measured seconds (10)
              --warmup SECONDS    unmeasured seconds first (3)
              --target T          stub | relay | switch | jpos | both | all (both)
              --saturate BOOL     step the rate 500, 1000, 2000, ... up to --max-rate, then bisect twice
                                  between the last passing and the first failing step (false)
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
              --switch-journal V[,V]  the switch variants, each a target of its own: h2 (journal on, embedded
                                  H2: as shipped), off (journal.enabled false), pg (journal on PostgreSQL,
                                  needs --journal-pg); true = h2, false = off (h2; with --table: h2,off
                                  and pg when --journal-pg is given)
              --journal-pg URL    JDBC URL of a PostgreSQL database for the pg variant, e.g.
                                  jdbc:postgresql://127.0.0.1:5432/journal; each run gets a schema of its
                                  own there, dropped after it (none)
              --journal-pg-user U, --journal-pg-password P  its credentials (empty)
              --switch-cluster V[,V]  the switch's cluster variants, each (for each journal variant) a
                                  target of its own: alone (no cluster: section), or N-sync / N-async:
                                  N switch JVMs (1 to 9, node ids 1..N) on one single-node Kafka broker
                                  (a JVM of its own, started from the Maven Central artifacts on the
                                  class path, for the whole run), 12 partitions, replication sync or
                                  async; each terminal connects to the node that owns its partition
                                  (read from the nodes' /health); e.g. alone,1-sync,1-async,3-sync (alone)
              --table BOOL        every --closed shape (default 50x1,20x8), then the saturation steps, of
                                  every --target; then jpos's closed rate (first shape) offered open-model
                                  to jpos and to each switch variant (p99 beside jpos's); then each
                                  journaled switch variant at 80 % of its saturation rate (its highest
                                  passing step), open-model, its journal lag p99 from its /metrics; then BENCHMARKS.md's tables and ratios (false)
            every target runs in a JVM of its own, as does the issuer stub, with this JVM's flags""";

    /**
     * The switch's configuration lines these options add to the harness's for {@code journal}: the
     * wait strategy, and the journal off, or on PostgreSQL at {@code pgUrl} (a JDBC URL with its schema).
     */
    String switchYaml(SwitchJournal journal, String pgUrl) {
        String wait = switchWaitStrategy == null ? "" : "pipeline: {waitStrategy: " + switchWaitStrategy + "}\n";
        return wait + switch (journal) {
            case H2 -> "";
            case OFF -> "journal: {enabled: false}\n";
            case PG -> "journal: {url: \"%s\", user: \"%s\", password: \"%s\"}\n".formatted(pgUrl, journalPg.user(),
                    journalPg.password());
        };
    }

    /**
     * The lines for a run of one switch (the soak's): its single variant, h2 or off.
     *
     * @throws IllegalArgumentException when more than one variant, or pg, was asked for
     */
    String switchYaml() {
        if (switchJournals.size() != 1 || switchJournals.getFirst() == SwitchJournal.PG) {
            throw new IllegalArgumentException("--switch-journal=" + journalsSpec() + ": one switch here, h2 or off");
        }
        return switchYaml(switchJournals.getFirst(), null);
    }

    /** The variants as the option spells them: {@code h2,off}. */
    String journalsSpec() {
        return String.join(",", switchJournals.stream().map(j -> j.name().toLowerCase(Locale.ROOT)).toList());
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
        boolean table = bool(m, "table");
        List<Shape> closed = shapes(m.remove("closed"));
        Postgres pg = postgres(m.remove("journal-pg"), m.remove("journal-pg-user"), m.remove("journal-pg-password"));
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
                journals(m.remove("switch-journal"), table, pg != null),
                pg,
                clusters(m.remove("switch-cluster")),
                table,
                table && closed.isEmpty() ? TABLE_SHAPES : closed);
        if (!m.isEmpty()) {
            throw new IllegalArgumentException("--" + m.keySet().iterator().next() + ": unknown option");
        }
        if (!o.closed().isEmpty() && o.connectPerTxn()) {
            throw new IllegalArgumentException("--closed=" + o.closedSpec() + ": a closed loop keeps its connections "
                    + "(not with --connect-per-txn true)");
        }
        return o;
    }

    /** The shapes as the option spells them: {@code 50x1,20x8}. */
    String closedSpec() {
        return String.join(",", closed.stream().map(Shape::toString).toList());
    }

    /** The server, or null when no URL is given. */
    private static Postgres postgres(String url, String user, String password) {
        if (url == null) {
            if (user != null || password != null) {
                throw new IllegalArgumentException("--journal-pg-user/--journal-pg-password: only with --journal-pg");
            }
            return null;
        }
        if (!url.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("--journal-pg=" + url + ": a jdbc:postgresql: URL");
        }
        return new Postgres(url, user == null ? "" : user, password == null ? "" : password);
    }

    /** {@code h2,off,pg} (or true, false); null: h2, or with the table every variant it can run. */
    private static List<SwitchJournal> journals(String s, boolean table, boolean pg) {
        if (s == null) {
            return table ? (pg ? List.of(SwitchJournal.H2, SwitchJournal.OFF, SwitchJournal.PG)
                    : List.of(SwitchJournal.H2, SwitchJournal.OFF)) : List.of(SwitchJournal.H2);
        }
        List<SwitchJournal> journals = new ArrayList<>();
        for (String part : s.split(",", -1)) {
            SwitchJournal j = switch (part.trim()) {
                case "h2", "true" -> SwitchJournal.H2;
                case "off", "false" -> SwitchJournal.OFF;
                case "pg" -> SwitchJournal.PG;
                default -> throw new IllegalArgumentException("--switch-journal=" + s + ": h2, off, pg (or true, false),"
                        + " comma-separated");
            };
            if (journals.contains(j)) {
                throw new IllegalArgumentException("--switch-journal=" + s + ": " + part.trim() + " twice");
            }
            if (j == SwitchJournal.PG && !pg) {
                throw new IllegalArgumentException("--switch-journal=" + s + ": pg needs --journal-pg URL");
            }
            journals.add(j);
        }
        return List.copyOf(journals);
    }

    /** {@code alone,1-sync,3-async}; null: alone. */
    private static List<Cluster> clusters(String s) {
        if (s == null) {
            return List.of(Cluster.ALONE);
        }
        List<Cluster> clusters = new ArrayList<>();
        for (String part : s.split(",", -1)) {
            String v = part.trim();
            Cluster c = null;
            if (v.equals("alone")) {
                c = Cluster.ALONE;
            } else if (v.matches("[1-9]-(sync|async)")) {
                c = new Cluster(v.charAt(0) - '0', v.substring(2));
            }
            if (c == null) {
                throw new IllegalArgumentException("--switch-cluster=" + s + ": alone, or N-sync / N-async with N 1 to 9");
            }
            if (clusters.contains(c)) {
                throw new IllegalArgumentException("--switch-cluster=" + s + ": " + v + " twice");
            }
            clusters.add(c);
        }
        return List.copyOf(clusters);
    }

    /** {@code 50x1,20x8} (or {@code 50×1}); null: none. */
    private static List<Shape> shapes(String s) {
        if (s == null) {
            return List.of();
        }
        List<Shape> shapes = new ArrayList<>();
        for (String part : s.split(",", -1)) {
            String[] nw = part.trim().split("[x×]", -1);
            try {
                if (nw.length == 2) {
                    Shape shape = new Shape(Integer.parseInt(nw[0].trim()), Integer.parseInt(nw[1].trim()));
                    if (shape.connections() > 0 && shape.inFlight() > 0) {
                        shapes.add(shape);
                        continue;
                    }
                }
            } catch (NumberFormatException e) {
                // the message below
            }
            throw new IllegalArgumentException("--closed=" + s + ": connections x in-flight pairs > 0, e.g. 50x1,20x8");
        }
        return List.copyOf(shapes);
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
