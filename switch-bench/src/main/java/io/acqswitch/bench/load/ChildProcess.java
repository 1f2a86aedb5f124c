package io.acqswitch.bench.load;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One JVM the harness starts beside itself to run {@link ChildMain}: the same {@code java} binary,
 * the same JVM flags (this JVM's input arguments, i.e. the launcher's {@code JVM_FLAGS} and anything
 * added to them, such as {@code -Xmx} or {@code -Dio.netty.eventLoopThreads}; debugger and profiler
 * agents excepted) and the same class path as the harness.
 *
 * <p>Lifecycle: {@link #start} returns once the child printed {@link ChildMain#READY} (bounded), or
 * throws with the tail of its output. {@link #close()} closes the child's standard input, which
 * makes it exit through its shutdown hooks, waits for that (bounded), then kills it. The child's
 * output, but for the protocol lines, goes to its log file.
 *
 * <p>Thread-safety: one reader thread per child consumes its output; {@link #meter()}'s methods may
 * be called from any one thread at a time; {@link #close()} from any thread.
 */
final class ChildProcess implements AutoCloseable {
    private static final int TAIL_LINES = 30;
    private static final long STOP_SECONDS = 15;
    private static final long STATS_WAIT_SECONDS = 5;

    private final String name;
    private final Process process;
    private final OutputStream stdin;
    private final Path log;
    private final CountDownLatch ready = new CountDownLatch(1);
    private final CountDownLatch outputEnded = new CountDownLatch(1);
    private final Deque<String> tail = new ArrayDeque<>();
    private final Map<Long, long[]> stats = new ConcurrentHashMap<>();
    private final AtomicLong statsIds = new AtomicLong();
    private volatile boolean isReady;

    private ChildProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.stdin = process.getOutputStream();
        this.log = log;
    }

    /**
     * Starts {@code ChildMain childArgs...} and waits until it is ready.
     *
     * @param name         what the harness calls it in messages ({@code stub}, {@code switch}, ...)
     * @param log          where its output goes (created or replaced)
     * @param readySeconds how long it may take
     * @throws IOException when it cannot be started, exits before it is ready, or is not ready in
     *                     time (it is killed then); the message ends with the tail of its output
     */
    static ChildProcess start(String name, List<String> childArgs, Path log, int readySeconds)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmFlags());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(ChildMain.class.getName());
        command.addAll(childArgs);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        ChildProcess child = new ChildProcess(name, p, log);
        Thread reader = new Thread(child::readOutput, "child-" + name);
        reader.setDaemon(true);
        reader.start();
        boolean inTime = child.ready.await(readySeconds, TimeUnit.SECONDS);
        if (!child.isReady) {
            child.kill();
            String why = inTime ? "exited (code " + child.exitCode() + ") before it was ready"
                    : "was not ready within " + readySeconds + " s";
            String message = name + " JVM " + why + "; its last lines (log " + log + "):" + System.lineSeparator()
                    + child.tail();
            throw inTime ? new ExitedEarly(message) : new IOException(message);
        }
        return child;
    }

    /** The child ended before it was ready (a port it could not bind, a bad configuration, a crash). */
    static final class ExitedEarly extends IOException {
        private static final long serialVersionUID = 1L;

        ExitedEarly(String message) {
            super(message);
        }
    }

    /**
     * This JVM's input arguments, without agents: a debugger's port or a profiler's output file
     * belongs to the harness and cannot be shared by every child.
     */
    static List<String> jvmFlags() {
        return ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> !a.startsWith("-agentlib:") && !a.startsWith("-agentpath:") && !a.startsWith("-javaagent:"))
                .toList();
    }

    /** The reader thread: protocol lines to their waiters, everything else to the log and the tail. */
    private void readOutput() {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
             PrintWriter file = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8), true)) {
            for (String line; (line = out.readLine()) != null; ) {
                if (line.equals(ChildMain.READY)) {
                    isReady = true;
                    ready.countDown();
                } else if (line.startsWith(ChildMain.STATS)) {
                    String[] f = line.substring(ChildMain.STATS.length()).split(" ");
                    stats.put(Long.parseLong(f[0]), new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])});
                    synchronized (stats) {
                        stats.notifyAll();
                    }
                } else {
                    file.println(line);
                    synchronized (tail) {
                        tail.addLast(line);
                        if (tail.size() > TAIL_LINES) {
                            tail.removeFirst();
                        }
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            synchronized (tail) {
                tail.addLast("(reading its output failed: " + e + ")");
            }
        } finally {
            ready.countDown(); // a child that died is not coming: wake the starter
            outputEnded.countDown();
        }
    }

    private String tail() {
        try {
            outputEnded.await(2, TimeUnit.SECONDS); // the last lines of a child that just exited
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (tail) {
            return String.join(System.lineSeparator(), tail);
        }
    }

    private String exitCode() {
        try {
            return process.waitFor(2, TimeUnit.SECONDS) ? String.valueOf(process.exitValue()) : "none yet";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    String name() {
        return name;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /**
     * This child's CPU time and heap allocation over a window, sampled by the child itself when it
     * reads the request (within a millisecond or so of {@code begin()}/{@code end()} on an idle
     * pipe). A child that does not answer within 5 s gives {@link ResourceMeter.Usage#UNKNOWN}.
     */
    ResourceMeter meter() {
        return new ResourceMeter() {
            private long beginId = -1;
            private long endId = -1;

            @Override
            public void begin() {
                beginId = request();
            }

            @Override
            public void end() {
                endId = request();
            }

            @Override
            public Usage usage() {
                long[] b = await(beginId);
                long[] e = await(endId);
                return b == null || e == null ? Usage.UNKNOWN : new Usage(e[0] - b[0], e[1] - b[1]);
            }
        };
    }

    /** Asks the child for its figures (a write of a few bytes to a pipe: does not block). @return the request's id, or -1 */
    private long request() {
        long id = statsIds.incrementAndGet();
        try {
            synchronized (stdin) {
                stdin.write(("stats " + id + "\n").getBytes(StandardCharsets.US_ASCII));
                stdin.flush();
            }
            return id;
        } catch (IOException e) {
            return -1; // the child is gone: its usage is unknown
        }
    }

    private long[] await(long id) {
        if (id < 0) {
            return null;
        }
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(STATS_WAIT_SECONDS);
        synchronized (stats) {
            while (!stats.containsKey(id) && System.nanoTime() < end && process.isAlive()) {
                try {
                    stats.wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return null;
                }
            }
        }
        return stats.remove(id);
    }

    /**
     * Stops the child: closes its standard input (it exits through its shutdown hooks), waits up to
     * {@value #STOP_SECONDS} s, then kills it. Idempotent.
     */
    @Override
    public void close() {
        try {
            synchronized (stdin) {
                stdin.close();
            }
        } catch (IOException e) {
            // already closed or the child is gone: the wait below decides
        }
        try {
            if (!process.waitFor(STOP_SECONDS, TimeUnit.SECONDS)) {
                System.err.println("loadharness: " + name + " JVM (pid " + process.pid() + ") did not stop within "
                        + STOP_SECONDS + " s of its input closing; killing it");
                kill();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill();
        }
    }

    /** SIGTERM, then SIGKILL after 5 s: for shutdown hooks and failures, where waiting long is worse. */
    void kill() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
