package io.acqswitch.bench.load;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.acqswitch.bench.load.LoadOptions.Cluster;
import io.acqswitch.bench.load.LoadOptions.Target;
import io.acqswitch.cluster.Partitioner;
import io.acqswitch.sim.LedgerSummary;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.ToIntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The systems under load, each in a JVM of its own beside the harness's ({@link ChildProcess}, on
 * 127.0.0.1 ports the rig picks): an approve-all issuer stub for the whole run, and one target at a
 * time, each forwarding to that stub:
 * <ul>
 *   <li><b>switch</b>: {@code io.acqswitch.cli.Main run --config F} with the switch's as-shipped
 *       defaults (journal on, embedded H2; store, pipeline, links, deadlines) except its ports, its
 *       data directory (in the rig's work directory, deleted on {@link #close()}), one issuer (the
 *       stub), no embedded stubs, and the lines the options add ({@link LoadOptions#switchYaml()});
 *       ready once its {@code /health} answers 200;</li>
 *   <li><b>relay</b> and <b>jpos</b>: {@code RelayBaseline} and {@code JposBaseline};</li>
 *   <li><b>stub</b>: the stub itself, nothing in between;</li>
 * </ul>
 * The switch may also run as a cluster ({@link Cluster}): N switch JVMs as above, each with a
 * {@code cluster:} section, on one Kafka broker in a JVM of its own ({@code ChildMain kafka}, kept
 * for the rest of the run); terminals then connect to the owner of their partition ({@link #ports}).
 * and, for timeouts, a second issuer stub, {@code silent}: it applies every financial request and
 * never answers it ({@code withholdRatio: 1.0}) but answers reversals; the switch routes
 * {@link LoadGenerator#SILENT_PAN}'s BIN to it with a deadline of {@link #SILENT_DEADLINE_SECONDS} s.
 *
 * <p>The stubs' ledgers are read over their HTTP API ({@code GET /ledger/summary}). Every child is
 * stopped on {@link #close()}, and killed by a shutdown hook should the harness's JVM exit first; a
 * child also exits by itself when the harness's JVM dies ({@link ChildMain}: end of its input).
 *
 * <p>A rig that keeps its targets ({@link #start(boolean, boolean)}, for several harness runs in
 * turn, e.g. the smoke tests') leaves a target's JVM running when the harness is done with it, and
 * serves a later {@link #startTarget} of the same target with the same configuration from that JVM
 * instead of starting another; each configuration's JVM runs until {@link #close()}.
 *
 * <p>Ports are borrowed from the OS (bind to port 0, close) and handed to the child, which binds
 * them a moment later; should another process take one meanwhile, the child exits before it is
 * ready and is started again on fresh ports (at most {@value #ATTEMPTS} times).
 *
 * <p>Not thread-safe: the harness's main thread only.
 */
final class ProcessRig implements AutoCloseable {
    static final int SILENT_DEADLINE_SECONDS = 1;
    /** The switch's own default {@code store.expectedEntries}: the rig sets it only for runs that need more. */
    static final long SHIPPED_STORE_ENTRIES = 1_000_000;
    private static final int READY_SECONDS = ChildMain.READY_SECONDS + 30;
    private static final int ATTEMPTS = 3;
    /** The partitions a cluster node serves, in its {@code /health}. */
    private static final Pattern SERVED = Pattern.compile("\"partitions\":\\[([0-9,]*)]");
    private static final ObjectMapper JSON = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final Path workDir;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Map<Target, Child> targets = new EnumMap<>(Target.class);
    /** Targets' JVMs left running for a later start with the same configuration ({@link #keepTargets}), by it. */
    private final Map<String, Child> kept = new HashMap<>();
    private final boolean keepTargets;
    /** Every running child, in start order; read by the shutdown hook too. */
    private final List<Child> all = new CopyOnWriteArrayList<>();
    private final Thread killer = new Thread(this::killAll, "loadharness-kill-children");
    private Child stub;
    private Child silent;
    /** The Kafka broker of the cluster variants: started with the first, stopped on {@link #close()}. */
    private Child kafka;
    /** The running cluster's nodes (the first is {@code targets}' switch); empty when the switch runs alone. */
    private List<Child> clusterNodes = List.of();
    /** The terminal port of each partition's owner, by partition; null when the switch runs alone. */
    private int[] ownerPorts;
    private int switchStarts;
    private boolean closed;
    /** A child failed to start: keep the logs in the work directory for a look. */
    private boolean keepLogs;

    /**
     * A child and the ports it was given.
     *
     * @param port     where terminals (or the switch) connect
     * @param httpPort its HTTP API ({@code /ledger/summary} of a stub, {@code /health} of the switch); 0 = none
     * @param config   its target and configuration, which a kept JVM must match to serve a later start
     */
    private record Child(ChildProcess process, int port, int httpPort, String config) {}

    private ProcessRig(Path workDir, boolean keepTargets) {
        this.workDir = workDir;
        this.keepTargets = keepTargets;
    }

    /** {@link #start(boolean, boolean)}: a rig for one harness run, which stops each target when done with it. */
    static ProcessRig start(boolean silentIssuer) throws IOException, InterruptedException {
        return start(silentIssuer, false);
    }

    /**
     * Starts the approve-all stub and, with {@code silentIssuer}, the silent one.
     *
     * @param keepTargets leave each target's JVM running for a later start with the same configuration
     * @throws IOException when a stub's JVM cannot start ({@link ChildProcess#start})
     */
    static ProcessRig start(boolean silentIssuer, boolean keepTargets) throws IOException, InterruptedException {
        ProcessRig rig = new ProcessRig(Files.createTempDirectory("loadharness"), keepTargets);
        Runtime.getRuntime().addShutdownHook(rig.killer);
        try {
            rig.stub = rig.startStub("stub", null);
            if (silentIssuer) {
                Path rules = Files.writeString(rig.workDir.resolve("silent-rules.yaml"), "withholdRatio: 1.0\n");
                rig.silent = rig.startStub("silent", rules);
            }
            return rig;
        } catch (IOException | InterruptedException | RuntimeException e) {
            rig.close();
            throw e;
        }
    }

    private Child startStub(String name, Path rules) throws IOException, InterruptedException {
        return startChild(name, (port, httpPort) -> {
            List<String> args = new ArrayList<>(List.of("cli", "http://127.0.0.1:" + httpPort + "/ledger/summary",
                    "issuer-stub", "--bind", "127.0.0.1", "--port", String.valueOf(port), "--http-port",
                    String.valueOf(httpPort), "--name", name));
            if (rules != null) {
                args.addAll(List.of("--rules", rules.toString()));
            }
            return args;
        }, true, name);
    }

    /** Whether the rig has the silent issuer, which the switch's timeouts need. */
    boolean hasSilentIssuer() {
        return silent != null;
    }

    /**
     * Starts {@code target}'s JVM (nothing for {@link Target#STUB}), forwarding to the stub; a rig
     * that keeps its targets takes the JVM it kept for the same configuration, if any.
     *
     * @param switchYaml   lines appended to the switch's configuration (its options)
     * @param storeEntries records the run may store; above {@link #SHIPPED_STORE_ENTRIES} the switch's
     *                     store is sized for them, else it keeps its default
     * @return whether a JVM was started (false: the stub's, or one kept from an earlier run)
     * @throws IOException when the JVM cannot start or does not become ready
     * @throws IllegalStateException when {@code target} is already running
     */
    boolean startTarget(Target target, String switchYaml, long storeEntries) throws IOException, InterruptedException {
        return startTarget(target, switchYaml, storeEntries, Cluster.ALONE);
    }

    /**
     * As {@link #startTarget(Target, String, long)}; the switch as {@code cluster} says: alone, or
     * that many nodes (JVMs of their own, node ids 1..N) on the rig's Kafka broker (started with the
     * first cluster, a topic of their own per start), ready once every partition has one owner. A
     * cluster is never kept for a later start (its topic is its own).
     */
    boolean startTarget(Target target, String switchYaml, long storeEntries, Cluster cluster)
            throws IOException, InterruptedException {
        if (targets.containsKey(target)) {
            throw new IllegalStateException(target + " is already running");
        }
        String name = target.label();
        String config = name + (storeEntries > SHIPPED_STORE_ENTRIES ? " " + storeEntries : "") + "\n" + switchYaml
                + (cluster.nodes() == 0 ? "" : "\n" + cluster);
        Child keptOne = kept.remove(config);
        if (keptOne != null) {
            targets.put(target, keptOne);
            return false;
        }
        Child c = switch (target) {
            case STUB -> stub;
            case SWITCH -> cluster.nodes() == 0 ? startSwitch(name, switchYaml, storeEntries, config)
                    : startCluster(name, switchYaml, storeEntries, cluster, config);
            case RELAY, JPOS -> startChild(name, (port, httpPort) -> List.of(name, String.valueOf(port),
                    String.valueOf(stub.port())), false, config);
            case BOTH, ALL -> throw new IllegalArgumentException(target + " is not a single target");
        };
        targets.put(target, c);
        return c != stub;
    }

    private Child startSwitch(String name, String switchYaml, long storeEntries, String key)
            throws IOException, InterruptedException {
        switchStarts++; // each start its own data directory: a variant never finds an earlier one's store
        Path dataDir = Files.createDirectories(workDir.resolve("switch-data-" + switchStarts));
        Path config = workDir.resolve("switch-" + switchStarts + ".yaml");
        return startChild(name, (port, httpPort) -> {
            Files.writeString(config, switchYaml(port, httpPort, dataDir, storeEntries) + switchYaml);
            return List.of("cli", "http://127.0.0.1:" + httpPort + "/health", "run", "--config", config.toString());
        }, true, key);
    }

    /** The nodes one after the other (each joins the owners' group), then waits until they share every partition. */
    private Child startCluster(String name, String switchYaml, long storeEntries, Cluster cluster, String key)
            throws IOException, InterruptedException {
        if (kafka == null) {
            Path dir = workDir.resolve("kafka");
            kafka = startChild("kafka", (port, controllerPort) -> List.of("kafka", String.valueOf(port),
                    String.valueOf(controllerPort), dir.toString()), true, "kafka");
        }
        String topic = "bench-" + (switchStarts + 1);
        List<Child> nodes = new ArrayList<>();
        for (int id = 1; id <= cluster.nodes(); id++) {
            nodes.add(startSwitch(name + "-" + id, switchYaml + "cluster: {nodeId: %d, bootstrap: \"127.0.0.1:%d\", topic: %s, partitions: %d, replication: %s}\n"
                    .formatted(id, kafka.port(), topic, Cluster.PARTITIONS, cluster.replication()), storeEntries, key + " node " + id));
        }
        clusterNodes = nodes;
        ownerPorts = awaitOwners(nodes);
        return nodes.getFirst();
    }

    /**
     * Waits (at most {@value #READY_SECONDS} s) until the nodes' {@code /health} name every partition
     * exactly once, and returns the owner's terminal port by partition.
     */
    private int[] awaitOwners(List<Child> nodes) throws IOException, InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(READY_SECONDS);
        String last = "";
        while (System.nanoTime() < end) {
            int[] owner = new int[Cluster.PARTITIONS];
            int named = 0;
            StringBuilder seen = new StringBuilder();
            for (Child n : nodes) {
                HttpRequest get = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + n.httpPort() + "/health"))
                        .timeout(Duration.ofSeconds(5)).GET().build();
                Matcher m = SERVED.matcher(http.send(get, HttpResponse.BodyHandlers.ofString()).body());
                String served = m.find() ? m.group(1) : "";
                seen.append(' ').append(n.process().name()).append(": [").append(served).append(']');
                for (String p : served.split(",")) {
                    if (!p.isEmpty()) {
                        owner[Integer.parseInt(p)] = n.port();
                        named++;
                    }
                }
            }
            if (named == Cluster.PARTITIONS && Arrays.stream(owner).allMatch(port -> port != 0)) {
                return owner;
            }
            last = seen.toString();
            Thread.sleep(200);
        }
        keepLogs = true;
        throw new IOException("the cluster's nodes did not share the " + Cluster.PARTITIONS + " partitions within "
                + READY_SECONDS + " s; last seen" + last);
    }

    /**
     * Done with {@code target}: stops its JVM (never the stub's: its ledger spans the run), every node
     * of a cluster, or, when the rig keeps its targets and {@code reusable} (nothing it uses ends with
     * this run; never a cluster), keeps it running for a later start with the same configuration.
     * No-op when it is not running.
     */
    void stopTarget(Target target, boolean reusable) {
        Child c = targets.remove(target);
        boolean cluster = target == Target.SWITCH && !clusterNodes.isEmpty();
        if (c != null && c != stub) {
            if (keepTargets && reusable && !cluster) {
                kept.put(c.config(), c);
            } else {
                for (Child node : cluster ? clusterNodes : List.of(c)) {
                    node.process().close();
                    all.remove(node);
                }
            }
        }
        if (target == Target.SWITCH) {
            clusterNodes = List.of();
            ownerPorts = null;
        }
    }

    /** Process ids of every JVM the rig has running: the stubs, its targets and the ones it keeps. */
    List<Long> pids() {
        return all.stream().map(c -> c.process().pid()).toList();
    }

    /** The switch's configuration: its defaults but for ports, data directory, issuers and routing, and no embedded stubs. */
    String switchYaml(int port, int httpPort, Path dataDir, long storeEntries) {
        String yaml = """
                dataDir: "%s"
                http: {bind: 127.0.0.1, port: %d}
                listeners: [{bind: 127.0.0.1, port: %d}]
                issuers:
                  - id: issuer-a
                    hosts: ["127.0.0.1:%d"]
                """.formatted(dataDir, httpPort, port, stub.port());
        if (silent == null) {
            yaml += "routing: {defaultIssuer: issuer-a}\n";
        } else {
            yaml += """
                      - id: issuer-b
                        hosts: ["127.0.0.1:%d"]
                        timeout: %ds
                    routing:
                      defaultIssuer: issuer-a
                      routes: [{prefix: "%s", issuer: issuer-b}]
                    """.formatted(silent.port(), SILENT_DEADLINE_SECONDS, LoadGenerator.SILENT_PAN.substring(0, 6));
        }
        yaml += "stubs: []\n";
        if (storeEntries > SHIPPED_STORE_ENTRIES) {
            yaml += "store: {expectedEntries: " + storeEntries + "}\n";
        }
        return yaml;
    }

    /** The arguments of a child given its ports (it may write files, e.g. the switch's configuration). */
    private interface ArgsForPorts {
        List<String> args(int port, int httpPort) throws IOException;
    }

    /** Starts a child on fresh ports, again on other fresh ports when it exits before it is ready. */
    private Child startChild(String name, ArgsForPorts args, boolean withHttp, String config)
            throws IOException, InterruptedException {
        for (int attempt = 1; ; attempt++) {
            int[] ports = freePorts(withHttp ? 2 : 1);
            int port = ports[0];
            int httpPort = withHttp ? ports[1] : 0;
            try {
                Child c = new Child(ChildProcess.start(name, args.args(port, httpPort), workDir.resolve(name + ".log"),
                        READY_SECONDS), port, httpPort, config);
                all.add(c);
                return c;
            } catch (ChildProcess.ExitedEarly e) {
                if (attempt == ATTEMPTS) {
                    keepLogs = true;
                    throw e;
                }
                System.err.println("loadharness: " + name + " JVM exited before it was ready (a port taken meanwhile?); "
                        + "starting it again on other ports");
            } catch (IOException e) {
                keepLogs = true;
                throw e;
            }
        }
    }

    /** {@code n} distinct ports free on 127.0.0.1 just now (held open together, so the OS gives distinct ones). */
    private static int[] freePorts(int n) throws IOException {
        List<ServerSocket> held = new ArrayList<>();
        try {
            int[] ports = new int[n];
            for (int i = 0; i < n; i++) {
                held.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
                ports[i] = held.getLast().getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket s : held) {
                s.close();
            }
        }
    }

    /** Where {@code target}'s terminals connect. @throws IllegalStateException when it is not running */
    int port(Target target) {
        return running(target).port();
    }

    /**
     * Where the terminal with a given id connects: {@code target}'s port, or, for a cluster, the port
     * of the node that owns the terminal's partition (as of start-up; the nodes stay up through the run).
     */
    ToIntFunction<String> ports(Target target) {
        int port = port(target);
        if (target != Target.SWITCH || ownerPorts == null) {
            return terminal -> port;
        }
        int[] owners = ownerPorts;
        Partitioner partitioner = new Partitioner(Cluster.PARTITIONS);
        return terminal -> owners[partitioner.ofTerminal("|" + LoadGenerator.MERCHANT + "|" + terminal)];
    }

    /** The nodes of the running cluster, with their pids; empty when the switch runs alone. */
    String clusterText() {
        return String.join(", ", clusterNodes.stream().map(n -> n.process().name() + " pid " + n.process().pid()).toList());
    }

    /**
     * The sum over the running cluster's nodes of the counter {@code name} (its {@code _total}
     * samples on each node's {@code /metrics}); 0 when the switch runs alone.
     *
     * @throws IOException when a node's /metrics does not answer 200
     */
    double clusterCounter(String name) throws IOException, InterruptedException {
        double sum = 0;
        for (Child n : clusterNodes) {
            HttpRequest get = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + n.httpPort() + "/metrics"))
                    .timeout(Duration.ofSeconds(10)).GET().build();
            HttpResponse<String> r = http.send(get, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IOException(n.process().name() + " GET /metrics: HTTP " + r.statusCode());
            }
            sum += PrometheusText.sum(r.body(), name + "_total").orElse(0);
        }
        return sum;
    }

    /** The process id of {@code target}'s JVM (the stub's for {@link Target#STUB}). */
    long pid(Target target) {
        return running(target).process().pid();
    }

    /** CPU and allocation of {@code target}'s JVM (the stub's for {@link Target#STUB}), of every node's for a cluster. */
    ResourceMeter meter(Target target) {
        if (target == Target.SWITCH && !clusterNodes.isEmpty()) {
            return ResourceMeter.sum(clusterNodes.stream().map(n -> n.process().meter()).toList());
        }
        return running(target).process().meter();
    }

    private Child running(Target target) {
        Child c = target == Target.STUB ? stub : targets.get(target);
        if (c == null) {
            throw new IllegalStateException(target + " is not running");
        }
        return c;
    }

    /**
     * The switch's {@code /metrics} (Prometheus text) on its admin port, asked now and answered on
     * the HTTP client's threads: the caller may be on the generator's sender thread.
     *
     * @throws IllegalStateException when the switch is not running
     */
    CompletableFuture<String> switchMetrics() {
        HttpRequest get = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + running(Target.SWITCH).httpPort()
                + "/metrics")).timeout(Duration.ofSeconds(10)).GET().build();
        return http.sendAsync(get, HttpResponse.BodyHandlers.ofString()).thenApply(r -> {
            if (r.statusCode() != 200) {
                throw new IllegalStateException("switch GET /metrics: HTTP " + r.statusCode());
            }
            return r.body();
        });
    }

    /** The approve-all stub's ledger summary, over its HTTP API. */
    LedgerSummary stubLedger() throws IOException, InterruptedException {
        return ledger(stub);
    }

    /** The silent issuer's ledger summary, or null when the rig has none. */
    LedgerSummary silentLedger() throws IOException, InterruptedException {
        return silent == null ? null : ledger(silent);
    }

    /**
     * Empties the stubs' ledgers ({@code POST /ledger/clear}): before each switch variant, whose fresh
     * data directory numbers its RRNs from the start again, which the stubs would take for repeats
     * of an earlier variant's requests and answer without a new debit. Only between runs.
     *
     * @throws IOException when a stub does not answer 2xx
     */
    void clearStubLedgers() throws IOException, InterruptedException {
        for (Child c : silent == null ? List.of(stub) : List.of(stub, silent)) {
            HttpRequest post = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + c.httpPort() + "/ledger/clear"))
                    .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.noBody()).build();
            HttpResponse<String> r = http.send(post, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() / 100 != 2) {
                throw new IOException(c.process().name() + " POST /ledger/clear: HTTP " + r.statusCode() + ": " + r.body());
            }
        }
    }

    private LedgerSummary ledger(Child c) throws IOException, InterruptedException {
        HttpRequest get = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + c.httpPort() + "/ledger/summary"))
                .timeout(Duration.ofSeconds(10)).GET().build();
        HttpResponse<String> r = http.send(get, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException(c.process().name() + " GET /ledger/summary: HTTP " + r.statusCode() + ": " + r.body());
        }
        return JSON.readValue(r.body(), LedgerSummary.class);
    }

    /**
     * Stops every child (targets first, the stubs last), then deletes the work directory (the
     * switch's data, configurations, logs); when a child failed to start, its logs are kept. A
     * second call does nothing.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (int i = all.size() - 1; i >= 0; i--) {
            all.get(i).process().close();
        }
        all.clear();
        targets.clear();
        kept.clear();
        try {
            Runtime.getRuntime().removeShutdownHook(killer);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook is running or has run
        }
        try (Stream<Path> files = Files.walk(workDir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                if (!(keepLogs && (p.equals(workDir) || p.toString().endsWith(".log")))) {
                    Files.deleteIfExists(p);
                }
            }
        } catch (IOException e) {
            System.err.println("loadharness: could not delete " + workDir + ": " + e);
        }
        if (keepLogs) {
            System.err.println("loadharness: kept the children's logs in " + workDir);
        }
    }

    /** The shutdown hook: the harness is exiting without {@link #close()} (Ctrl-C, System.exit): kill, do not wait long. */
    private void killAll() {
        for (Child c : List.copyOf(all)) {
            if (c.process().isAlive()) {
                c.process().kill();
            }
        }
    }
}
