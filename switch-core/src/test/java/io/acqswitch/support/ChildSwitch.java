package io.acqswitch.support;

import io.acqswitch.sim.TerminalClient;
import io.acqswitch.sim.TerminalMessages;
import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
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
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * A switch in a process of its own ({@code Main run --config}), on fixed ports and a data directory
 * that outlive it, so a test can kill it with SIGKILL and start it again on the same state. Its
 * output goes to {@code <dir>/life-N.log}. {@link #runUntilExit} runs one more process on the same
 * configuration that is expected to refuse to start.
 */
public final class ChildSwitch {
    public final Path dir;
    public final int port;
    public final int httpPort;
    private final Path config;
    private Process process;
    private int lives;
    private int refusals;

    /** Writes the configuration ({@link Rig#yaml} towards {@code stubPort}, edited by {@code edit}) under {@code dir}. */
    public ChildSwitch(Path dir, int stubPort, long issuerTimeoutMs, UnaryOperator<String> edit)
            throws IOException {
        this.dir = dir;
        this.port = freePort();
        this.httpPort = freePort();
        this.config = dir.resolve("switch.yaml");
        Files.createDirectories(dir);
        Files.writeString(config, edit.apply(Rig.yaml(List.of("127.0.0.1:" + stubPort), issuerTimeoutMs, dir.resolve("data"))
                .replace("listeners: [{port: 0, idleTimeout: 60s}]", "listeners: [{port: " + port + "}]")
                .replace("http: {port: 0}", "http: {port: " + httpPort + "}")));
    }

    /**
     * A free port below the kernel's ephemeral range (32768 and up here and by default), so that the
     * many outgoing connections of other tests on the machine cannot take it between this check and
     * a server binding it, again and again (every life of the child binds the same port; so does a
     * restarted issuer stub).
     */
    public static int freePort() throws IOException {
        for (int attempt = 0; attempt < 100; attempt++) {
            int p = ThreadLocalRandom.current().nextInt(20_000, 30_000);
            try (ServerSocket s = new ServerSocket(p, 1, InetAddress.getLoopbackAddress())) {
                return s.getLocalPort();
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IOException("no free port in 20000-29999 after 100 attempts");
    }

    /** Starts the next life of the switch (log {@code <dir>/life-N.log}) and waits until it serves. */
    public void start() throws Exception {
        File log = dir.resolve("life-" + ++lives + ".log").toFile();
        process = new ProcessBuilder(command()).redirectErrorStream(true).redirectOutput(log).start();
        awaitServing();
    }

    /** How a process that was expected to refuse to start ended, and what it wrote on each stream. */
    public record Exit(int code, String stdout, String stderr) {}

    /**
     * Runs one more switch process on this configuration (beside the current life, if any) and waits,
     * at most 60 s, for it to exit by itself; one that is still running then is killed and fails the
     * test. Its streams go to {@code <dir>/refused-N.out} and {@code .err}.
     */
    public Exit runUntilExit() throws Exception {
        int n = ++refusals;
        Path out = dir.resolve("refused-" + n + ".out");
        Path err = dir.resolve("refused-" + n + ".err");
        Process p = new ProcessBuilder(command()).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("the second switch process did not exit within 60 s (see " + out + ")");
        }
        return new Exit(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    /** {@code java ... Main run --config <dir>/switch.yaml} with this JVM's module flags. */
    private List<String> command() {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--") || arg.startsWith("-Dchronicle")) {
                cmd.add(arg);
            }
        }
        // C1 only: a child starts in about half the time on two busy cores (14-16 s -> 7-8 s measured); no
        // test of a child switch asserts its speed
        cmd.addAll(List.of("-Xmx512m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                "io.acqswitch.cli.Main", "run", "--config", config.toString()));
        return cmd;
    }

    /** SIGKILL: no shutdown hook, no flush, whatever was in flight stays as the store has it. */
    public void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly().waitFor();
        }
    }

    /**
     * SIGTERM: the switch's shutdown hook closes it as an operator's stop would (the journal drains,
     * the store is closed cleanly). Waits at most 30 s; one still running then is killed and fails the test.
     */
    public void stop() throws InterruptedException {
        if (process == null) {
            return;
        }
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("the switch did not stop within 30 s of SIGTERM (see " + log() + ")");
        }
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** The pid of the current life. @throws IllegalStateException before {@link #start} */
    public long pid() {
        if (process == null) {
            throw new IllegalStateException("not started");
        }
        return process.pid();
    }

    /** The output of the current life ({@code <dir>/life-N.log}). */
    public Path log() {
        return dir.resolve("life-" + lives + ".log");
    }

    public int lives() {
        return lives;
    }

    public TerminalClient terminal() throws IOException {
        return new TerminalClient("127.0.0.1", port, TestSwitch.ISO87, Duration.ofSeconds(10));
    }

    /** Waits (at most 60 s: JVM and Chronicle Map start-up) for /health to say UP, then checks an echo. */
    private void awaitServing() throws Exception {
        HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/health")).build();
        try (HttpClient http = HttpClient.newHttpClient()) {
            Await.until("switch healthy on port " + httpPort + " (see " + dir + ")", () -> {
                if (!process.isAlive()) {
                    throw new AssertionError("switch exited before it became healthy on port " + httpPort + " (see " + dir + ")");
                }
                try {
                    return http.send(health, HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
                } catch (IOException e) {
                    return false; // not listening yet
                }
            }, healthy -> healthy, Duration.ofSeconds(60));
        }
        try (TerminalClient t = terminal()) {
            String code = t.exchange(TerminalMessages.networkManagement("301", "000001", "TERM0009")).getString(39);
            if (!"00".equals(code)) {
                throw new AssertionError("echo answered " + code);
            }
        }
    }
}
