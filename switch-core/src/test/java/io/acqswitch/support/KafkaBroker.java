package io.acqswitch.support;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;

/**
 * A real single-node Kafka broker in KRaft mode (broker and controller in one process), run from
 * the test classpath's Maven Central artifacts in a child JVM: no Docker, no download. Listens on
 * 127.0.0.1 on two free ports; its files and log are under {@code target/kafka-<time>}. Topics it
 * makes for itself (offsets, transactions) have one replica.
 */
public final class KafkaBroker implements AutoCloseable {
    private final Path dir;
    private final int port;
    private Process process;

    private KafkaBroker(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    /** Formats a log directory, starts the broker and waits (at most 60 s) until it accepts connections. */
    public static KafkaBroker start() throws Exception {
        Path dir = Path.of("target", "kafka-" + System.nanoTime()).toAbsolutePath();
        Files.createDirectories(dir);
        int port = ChildSwitch.freePort();
        int controllerPort = ChildSwitch.freePort();
        Path props = dir.resolve("server.properties");
        Files.writeString(props, String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.bootstrap.servers=127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "inter.broker.listener.name=PLAINTEXT",
                "log.dirs=" + dir.resolve("logs"),
                "num.partitions=1",
                "default.replication.factor=1",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=2",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "transaction.state.log.num.partitions=2",
                "group.initial.rebalance.delay.ms=0",
                "") );
        KafkaBroker broker = new KafkaBroker(dir, port);
        Process format = new ProcessBuilder(java("kafka.tools.StorageTool", "format", "-t", Uuid.randomUuid().toString(),
                "-c", props.toString(), "--standalone")).redirectErrorStream(true).redirectOutput(dir.resolve("format.log").toFile()).start();
        if (!format.waitFor(60, TimeUnit.SECONDS) || format.exitValue() != 0) {
            format.destroyForcibly();
            throw new IllegalStateException("kafka storage format failed: " + Files.readString(dir.resolve("format.log")));
        }
        broker.process = new ProcessBuilder(java("kafka.Kafka", props.toString())).redirectErrorStream(true)
                .redirectOutput(dir.resolve("broker.log").toFile()).start();
        try {
            Await.until("kafka accepting connections or its process ended", () -> broker.accepts() || !broker.process.isAlive(),
                    Duration.ofSeconds(60));
        } catch (RuntimeException | AssertionError timedOut) {
            broker.close();
            throw new IllegalStateException("kafka did not start within 60 s; see " + dir.resolve("broker.log"), timedOut);
        }
        if (!broker.accepts()) {
            broker.close();
            throw new IllegalStateException("kafka did not start; see " + dir.resolve("broker.log"));
        }
        return broker;
    }

    private static List<String> java(String main, String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", // C1 only: starts faster, as ChildSwitch
                "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                "-cp", System.getProperty("java.class.path"), main));
        cmd.addAll(List.of(args));
        return cmd;
    }

    private boolean accepts() {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return s.isConnected();
        } catch (IOException e) {
            return false;
        }
    }

    /** {@code 127.0.0.1:<port>}, for {@code bootstrap.servers}. */
    public String bootstrap() {
        return "127.0.0.1:" + port;
    }

    /** SIGSTOP: the broker stops answering, its connections stay open (a stalled broker, a partition). */
    public void pause() throws Exception {
        signal("STOP");
    }

    /** SIGCONT after {@link #pause}. */
    public void resume() throws Exception {
        signal("CONT");
    }

    private void signal(String name) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
        }
    }

    /** The broker's output, for failure messages. */
    public Path log() {
        return dir.resolve("broker.log");
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
