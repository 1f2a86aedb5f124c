package io.acqswitch.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.acqswitch.iso.Malformation;
import io.acqswitch.reliability.FrameFuzzer.Attack;
import io.acqswitch.sim.IssuerStub;
import io.acqswitch.sim.StubRules;
import io.acqswitch.sim.TerminalClient;
import io.acqswitch.sim.TerminalMessages;
import io.acqswitch.support.Rig;
import io.acqswitch.support.TempFiles;
import io.acqswitch.support.TestSwitch;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;
import org.jpos.iso.ISOException;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Fires malformed and adversarial frames ({@link FrameFuzzer}), bursts of connections, half-open
 * connections and byte-dribbling senders at a running switch for a bounded time, while a
 * well-behaved terminal on its own connection keeps exchanging echoes and sales. Then: the switch
 * is up, every rejection was counted, the processor saw no error, and connections, file
 * descriptors and heap return to where they were.
 *
 * <p>{@code -Dreliability.fuzzSeconds=600} for a long run (default 30), {@code -Dreliability.seed=S}
 * to replay the inputs (the seed is printed; thread interleaving is not replayed).
 */
@Tag("slow")
@Timeout(value = 2, unit = TimeUnit.HOURS) // a hung socket fails the test; long enough for the long runs of docs/reliability.md
class WireFuzzTest {
    private static final int FUZZ_SECONDS = Integer.getInteger("reliability.fuzzSeconds", 30);
    private static final int FUZZERS = 3;
    private static final int MAX_FRAME = 1024;
    private static final Duration IDLE = Duration.ofSeconds(2);
    private static final long BYSTANDER_LATENCY_LIMIT_MS = 2_000;

    private final Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
    private final LongAdder peerCloses = new LongAdder();
    private final List<Socket> halfOpen = Collections.synchronizedList(new ArrayList<>());
    private final AtomicLong bystanderMaxMs = new AtomicLong();
    private final LongAdder bystanderExchanges = new LongAdder();
    private final LongAdder slowEchoes = new LongAdder();
    private int port;

    @Test
    void shouldSurviveAdversarialTerminalsWhileServingAWellBehavedOne() throws Exception {
        long seed = Long.getLong("reliability.seed", System.nanoTime());
        System.out.println("WireFuzzTest seed=" + seed + " (-Dreliability.seed=" + seed + "), " + FUZZ_SECONDS + " s");
        try (IssuerStub stub = new IssuerStub("stub", "127.0.0.1", 0, StubRules.approveAll()).start()) {
            List<String> hosts = List.of("127.0.0.1:" + stub.port());
            Path dir = TempFiles.newDir("fuzz");
            String yaml = Rig.yaml(hosts, 5_000, dir).replace("listeners: [{port: 0, idleTimeout: 60s}]",
                    "listeners: [{port: 0, idleTimeout: 2s, maxFrameBytes: " + MAX_FRAME + ", maxConnections: 500}]");
            try (Rig rig = Rig.start(stub, hosts, yaml, dir)) {
                port = rig.node.terminalPort(0);
                warmUp(new Random(seed - 1));
                rig.await("warm-up connections closed", () -> rig.node.metrics().connectionsOpen() == 0, Duration.ofSeconds(10));
                long heapBefore = usedHeapAfterGc();
                int fdsBefore = openFds();
                double malformedBefore = malformedTotal(rig);
                double emptyBefore = rig.node.metrics().malformedCount(Malformation.EMPTY_FRAME);
                double tooLongBefore = rig.node.metrics().malformedCount(Malformation.FRAME_TOO_LONG);

                long deadline = System.nanoTime() + Duration.ofSeconds(FUZZ_SECONDS).toNanos();
                ExecutorService pool = Executors.newFixedThreadPool(FUZZERS + 2);
                List<Future<?>> runs = new ArrayList<>();
                runs.add(pool.submit(() -> bystander(rig, deadline)));
                runs.add(pool.submit(() -> dribbler(new Random(seed + 100), deadline)));
                for (int i = 0; i < FUZZERS; i++) {
                    Random random = new Random(seed + i);
                    runs.add(pool.submit(() -> fuzzer(random, deadline)));
                }
                for (Future<?> f : runs) {
                    f.get(); // rethrows a bystander's wrong answer or a dribbler's missing one
                }
                pool.shutdown();

                // half-open connections are the switch's to close, after its idle timeout
                for (Socket s : halfOpen) {
                    s.setSoTimeout((int) IDLE.multipliedBy(5).toMillis());
                    assertTrue(closedByPeer(s), "half-open connection closed by the switch after its idle timeout");
                    s.close();
                }
                rig.await("every fuzz connection closed on the switch's side",
                        () -> rig.node.metrics().connectionsOpen() == 0, Duration.ofSeconds(15));
                rig.await("file descriptors back to their baseline " + fdsBefore,
                        () -> openFds() <= fdsBefore + 10, Duration.ofSeconds(15));
                long heapAfter = usedHeapAfterGc();
                double malformed = malformedTotal(rig) - malformedBefore;

                System.out.printf("WireFuzzTest: outcomes %s; peer closes %d; half-open %d; malformed counted %.0f;"
                                + " bystander %d exchanges, max %d ms; slow echoes %d; fds %d -> %d; heap %d MB -> %d MB%n",
                        new TreeMap<>(outcomes), peerCloses.sum(), halfOpen.size(), malformed,
                        bystanderExchanges.sum(), bystanderMaxMs.get(), slowEchoes.sum(), fdsBefore, openFds(),
                        heapBefore >> 20, heapAfter >> 20);

                try (TerminalClient t = rig.terminal()) { // still up and serving
                    assertEquals("00", t.exchange(TerminalMessages.networkManagement("301", "999999", "AFTER001")).getString(39));
                }
                assertEquals(0, processorErrors(rig), "processor errors");
                assertTrue(malformed >= peerCloses.sum(), "every connection the switch closed was a counted rejection: "
                        + malformed + " counted, " + peerCloses.sum() + " closed");
                assertTrue(rig.node.metrics().malformedCount(Malformation.EMPTY_FRAME) - emptyBefore >= count(Attack.ZERO_LENGTH));
                assertTrue(rig.node.metrics().malformedCount(Malformation.FRAME_TOO_LONG) - tooLongBefore >= count(Attack.TOO_LONG));
                assertTrue(bystanderExchanges.sum() > FUZZ_SECONDS, "the well-behaved terminal kept being served");
                assertTrue(heapAfter < heapBefore + (128L << 20), "heap after GC roughly stable: "
                        + (heapBefore >> 20) + " MB -> " + (heapAfter >> 20) + " MB");
            } finally {
                for (Socket s : halfOpen) {
                    s.close();
                }
            }
        }
    }

    /** Echo and sale in turn, each answered correctly within {@link #BYSTANDER_LATENCY_LIMIT_MS}. */
    private Void bystander(Rig rig, long deadline) throws Exception {
        try (TerminalClient t = rig.terminal()) {
            for (int n = 1; System.nanoTime() < deadline; n++) {
                String stan = String.format("%06d", n);
                long start = System.nanoTime();
                ISOMsg request = n % 2 == 0 ? TerminalMessages.networkManagement("301", stan, "GOOD0001")
                        : TerminalMessages.sale("4761739001010010", 100 + n, stan, "GOOD0001", "MERCHANT0000001");
                ISOMsg answer = t.exchange(request);
                long ms = (System.nanoTime() - start) / 1_000_000;
                bystanderMaxMs.accumulateAndGet(ms, Math::max);
                assertEquals(n % 2 == 0 ? "0810" : "0210", answer.getMTI());
                assertEquals("00", answer.getString(39), "bystander request " + n);
                assertEquals(stan, answer.getString(11));
                assertTrue(ms < BYSTANDER_LATENCY_LIMIT_MS, "bystander answered in " + ms + " ms");
                bystanderExchanges.increment();
                Thread.sleep(20); // time is the subject: a bystander's pace
            }
        }
        return null;
    }

    /** Sends well-formed echoes a byte at a time with pauses (under the idle timeout): each must be answered. */
    private Void dribbler(Random r, long deadline) throws Exception {
        for (int n = 1; System.nanoTime() < deadline; n++) {
            String stan = String.format("%06d", n);
            try (Socket s = connect()) {
                s.setSoTimeout(5_000);
                OutputStream out = s.getOutputStream();
                for (byte b : FrameFuzzer.echoFrame(stan)) {
                    out.write(b);
                    out.flush();
                    Thread.sleep(r.nextInt(150)); // time is the subject: the dribble's pace
                }
                DataInputStream in = new DataInputStream(s.getInputStream());
                byte[] body = new byte[in.readUnsignedShort()];
                in.readFully(body);
                ISOMsg answer = TestSwitch.ISO87.newMessage(null);
                TestSwitch.ISO87.unpack(body, answer);
                assertEquals("00", answer.getString(39));
                assertEquals(stan, answer.getString(11));
                slowEchoes.increment();
            }
        }
        return null;
    }

    private Void fuzzer(Random r, long deadline) throws Exception {
        Attack[] attacks = Attack.values();
        for (int n = 1; System.nanoTime() < deadline; n++) {
            if (n % 100 == 0) {
                burst(r);
            }
            Attack attack = attacks[r.nextInt(attacks.length)];
            byte[] wire = FrameFuzzer.wire(attack, r, MAX_FRAME);
            Socket s = connect();
            boolean keep = attack == Attack.LONGER_THAN_SENT && r.nextInt(5) == 0;
            try {
                s.setSoTimeout(100);
                s.getOutputStream().write(wire);
                s.getOutputStream().flush();
                tally(attack, keep ? "kept half-open" : read(s));
            } catch (IOException e) {
                tally(attack, "write failed");
            } finally {
                if (keep) {
                    halfOpen.add(s);
                } else {
                    s.close();
                }
            }
        }
        return null;
    }

    /** Fifty connections at once, each with an attack, all closed by us. */
    private void burst(Random r) throws Exception {
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < 50; i++) {
                Socket s = connect();
                sockets.add(s);
                try {
                    s.getOutputStream().write(FrameFuzzer.wire(Attack.values()[r.nextInt(Attack.values().length)], r, MAX_FRAME));
                } catch (IOException e) {
                    // closed by the switch already: fine
                }
            }
            tally("burst", "50 connections");
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
        }
    }

    /** What came back within the socket timeout: answers (by field 39) until the switch closed or went quiet. */
    private String read(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        DataInputStream data = new DataInputStream(in);
        String seen = "";
        try {
            while (true) {
                int hi = in.read();
                if (hi == -1) {
                    peerCloses.increment();
                    return seen + "closed";
                }
                byte[] body = new byte[(hi << 8) | data.readUnsignedByte()];
                data.readFully(body);
                ISOMsg answer = TestSwitch.ISO87.newMessage(null);
                try {
                    TestSwitch.ISO87.unpack(body, answer);
                    seen += "answered " + answer.getString(39) + ", ";
                } catch (ISOException e) {
                    throw new AssertionError("the switch sent an answer that does not unpack", e);
                }
            }
        } catch (SocketTimeoutException e) {
            return seen.isEmpty() ? "silent" : seen + "open";
        } catch (EOFException e) {
            peerCloses.increment();
            return seen + "closed mid-answer";
        } catch (IOException e) {
            peerCloses.increment(); // reset
            return seen + "reset";
        }
    }

    /** One of each attack, so that lazily loaded classes and jars are open before the baseline is taken. */
    private void warmUp(Random r) throws Exception {
        for (Attack a : Attack.values()) {
            try (Socket s = connect()) {
                s.setSoTimeout(200);
                s.getOutputStream().write(FrameFuzzer.wire(a, r, MAX_FRAME));
                read(s);
            } catch (IOException e) {
                // closed by the switch
            }
        }
        peerCloses.reset();
    }

    private Socket connect() throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        return s;
    }

    private static boolean closedByPeer(Socket s) {
        try {
            return s.getInputStream().read() == -1;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    private void tally(Attack attack, String outcome) {
        tally(attack.name(), outcome);
    }

    private void tally(String attack, String outcome) {
        outcomes.computeIfAbsent(attack + ": " + outcome.replaceAll("answered \\d\\d, answered", "answered"), k -> new LongAdder())
                .increment();
        outcomes.computeIfAbsent(attack, k -> new LongAdder()).increment();
    }

    private long count(Attack attack) {
        long sent = outcomes.getOrDefault(attack.name(), new LongAdder()).sum();
        long failed = outcomes.getOrDefault(attack.name() + ": write failed", new LongAdder()).sum();
        return sent - failed;
    }

    private static double malformedTotal(Rig rig) {
        double sum = 0;
        for (Malformation m : Malformation.values()) {
            sum += rig.node.metrics().malformedCount(m);
        }
        return sum;
    }

    static double processorErrors(Rig rig) {
        var c = rig.node.metrics().registry().find("switch_processor_errors").functionCounter();
        return c == null ? 0 : c.count();
    }

    static int openFds() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return (int) fds.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100); // time is the subject: let the collector finish before reading the heap
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
