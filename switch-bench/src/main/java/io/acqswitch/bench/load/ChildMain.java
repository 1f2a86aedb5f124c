package io.acqswitch.bench.load;

import io.acqswitch.bench.baseline.JposBaseline;
import io.acqswitch.bench.baseline.RelayBaseline;
import io.acqswitch.cli.Main;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import kafka.Kafka;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;

/**
 * The entry point of every JVM the load harness starts beside itself ({@link ChildProcess}): one
 * issuer stub or one target each, so that each runs as users deploy it, in a JVM of its own.
 *
 * <pre>
 *   java &lt;the harness's JVM flags&gt; -cp &lt;the harness's class path&gt; io.acqswitch.bench.load.ChildMain KIND ARGS...
 *
 *   cli READY_URL CLI_ARGS...   the switch's own CLI ({@code io.acqswitch.cli.Main}) with CLI_ARGS, e.g.
 *                               {@code run --config F} or {@code issuer-stub --port P --http-port H};
 *                               ready once READY_URL (its /health, or the stub's /ledger/summary) answers 200
 *   relay PORT ISSUER_PORT      {@link RelayBaseline} on 127.0.0.1:PORT, to the issuer on 127.0.0.1:ISSUER_PORT
 *   jpos PORT ISSUER_PORT       {@link JposBaseline} likewise
 *   kafka PORT CONTROLLER_PORT DIR  a single-node Kafka broker in KRaft mode (broker and controller),
 *                               from the Maven Central artifacts on the class path (no download): its
 *                               storage formatted under DIR, listening on 127.0.0.1:PORT; ready once it
 *                               accepts connections (the cluster variants of the switch)
 * </pre>
 *
 * <p>The contract with the harness, on standard input and output (everything else the child
 * prints is its log):
 * <ul>
 *   <li>once ready it prints one line {@value #READY}, after which the harness sends traffic;</li>
 *   <li>a line {@code stats ID} on standard input is answered at once with
 *       {@code loadharness-stats ID CPU_NANOS ALLOCATED_BYTES}: this process's CPU time and heap
 *       allocated so far, so the harness can meter the target alone;</li>
 *   <li>the end of standard input (the harness closed it, or died) ends the process with exit code
 *       0 through its shutdown hooks (the switch closes its store and journal, Q2 shuts down): no
 *       child outlives its harness, even one killed with SIGKILL.</li>
 * </ul>
 * A child that cannot start exits non-zero without printing the ready line (3 when READY_URL did not
 * answer 200 within {@value #READY_SECONDS} s); the harness then shows the tail of its log.
 */
public final class ChildMain {
    /** The line a child prints once it accepts traffic. */
    static final String READY = "loadharness-ready";
    /** The start of the answer to a {@code stats} request. */
    static final String STATS = "loadharness-stats ";
    static final int READY_SECONDS = 60;

    private ChildMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: ChildMain cli READY_URL CLI_ARGS... | relay PORT ISSUER_PORT | jpos PORT ISSUER_PORT"
                    + " | kafka PORT CONTROLLER_PORT DIR");
            System.exit(2);
        }
        watchStdin();
        switch (args[0]) {
            case "cli" -> cli(args[1], Arrays.copyOfRange(args, 2, args.length));
            case "relay" -> {
                RelayBaseline relay = new RelayBaseline("127.0.0.1", Integer.parseInt(args[2]), Integer.parseInt(args[1]))
                        .start();
                serve(relay);
            }
            case "kafka" -> kafka(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Path.of(args[3]));
            case "jpos" -> {
                JposBaseline jpos = new JposBaseline("127.0.0.1", Integer.parseInt(args[2]), Integer.parseInt(args[1]))
                        .start(); // returns once its issuer link is up and its server accepts
                serve(jpos);
            }
            default -> {
                System.err.println("ChildMain: unknown kind " + args[0]);
                System.exit(2);
            }
        }
    }

    /**
     * Runs the CLI on its own thread (its {@code main} blocks until the process is stopped and exits
     * the JVM itself, with 2 when it cannot start) and prints {@link #READY} once {@code readyUrl}
     * answers 200: for the switch that is {@code /health}, which needs every listener bound, the
     * store open and a link up to every issuer, i.e. what a terminal needs to be served.
     */
    private static void cli(String readyUrl, String[] cliArgs) throws InterruptedException {
        Thread cli = new Thread(() -> Main.main(cliArgs), "cli-main");
        cli.start();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest get = HttpRequest.newBuilder(URI.create(readyUrl)).timeout(Duration.ofSeconds(2)).GET().build();
        long end = System.nanoTime() + Duration.ofSeconds(READY_SECONDS).toNanos();
        while (System.nanoTime() < end) {
            try {
                if (http.send(get, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    ready();
                    cli.join(); // the CLI ends the JVM itself (System.exit) when stopped
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        System.err.println("ChildMain: " + readyUrl + " did not answer 200 within " + READY_SECONDS + " s");
        System.exit(3);
    }

    /**
     * Formats a KRaft log directory under {@code dir} and runs one broker that is its own controller,
     * every internal topic with one replica (one broker), then prints {@link #READY} once its port
     * accepts a connection. The broker runs until the JVM ends (standard input closed).
     */
    private static void kafka(int port, int controllerPort, Path dir) throws Exception {
        Properties p = new Properties();
        p.setProperty("node.id", "1");
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("controller.listener.names", "CONTROLLER");
        p.setProperty("controller.quorum.bootstrap.servers", "127.0.0.1:" + controllerPort);
        p.setProperty("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.setProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.setProperty("inter.broker.listener.name", "PLAINTEXT");
        p.setProperty("log.dirs", dir.resolve("logs").toString());
        for (String oneReplica : List.of("default.replication.factor", "offsets.topic.replication.factor",
                "transaction.state.log.replication.factor", "transaction.state.log.min.isr")) {
            p.setProperty(oneReplica, "1");
        }
        p.setProperty("group.initial.rebalance.delay.ms", "0");
        Files.createDirectories(dir);
        Path file = dir.resolve("server.properties");
        try (Writer w = Files.newBufferedWriter(file)) {
            p.store(w, "the load harness's broker");
        }
        int formatted = StorageTool.execute(new String[] {"format", "-t", Uuid.randomUuid().toString(), "-c",
                file.toString(), "--standalone"}, System.out);
        if (formatted != 0) {
            System.err.println("ChildMain: kafka storage format failed (" + formatted + ")");
            System.exit(3);
        }
        Thread broker = new Thread(() -> Kafka.main(new String[] {file.toString()}), "kafka-main");
        broker.start();
        long end = System.nanoTime() + Duration.ofSeconds(READY_SECONDS).toNanos();
        while (System.nanoTime() < end) {
            boolean accepts;
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                accepts = s.isConnected();
            } catch (IOException e) {
                accepts = false; // not listening yet
            }
            if (accepts) {
                ready();
                broker.join();
                return;
            }
            Thread.sleep(100);
        }
        System.err.println("ChildMain: kafka did not accept connections on " + port + " within " + READY_SECONDS + " s");
        System.exit(3);
    }

    /** Prints the ready line and serves until standard input ends (the hook then closes {@code component}). */
    private static void serve(AutoCloseable component) throws InterruptedException {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                component.close();
            } catch (Exception e) {
                System.err.println("ChildMain: close failed: " + e);
            }
        }, "shutdown"));
        ready();
        new CountDownLatch(1).await(); // until System.exit from the stdin watcher, or a signal
    }

    private static void ready() {
        System.out.println(READY);
        System.out.flush();
    }

    /** A daemon thread: answers {@code stats ID} lines; ends the JVM when standard input ends. */
    private static void watchStdin() {
        Thread t = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    if (line.startsWith("stats ")) {
                        long[] now = ProcessResources.now();
                        System.out.println(STATS + line.substring("stats ".length()).trim() + " " + now[0] + " " + now[1]);
                        System.out.flush();
                    }
                }
            } catch (IOException e) {
                // the harness is gone as surely as at the end of input
            }
            System.exit(0);
        }, "harness-watch");
        t.setDaemon(true);
        t.start();
    }
}
