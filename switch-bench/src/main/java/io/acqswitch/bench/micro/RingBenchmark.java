package io.acqswitch.bench.micro;

import com.lmax.disruptor.EventHandler;
import io.acqswitch.pipeline.Ring;
import io.acqswitch.pipeline.SwitchEvent;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jpos.iso.ISOMsg;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One hop from a Netty thread to the processor thread: publish an issuer answer, then spin until
 * the consumer has seen it (so each operation is a full hand-over, wake-up included, not a
 * buffered publish). {@code ringHop} goes through the switch's {@link Ring} (Disruptor, MULTI
 * producer, the configured wait strategy); the baseline in the same run, {@code queueHop}, through an
 * {@link ArrayBlockingQueue} of the same size with a consumer thread blocked in {@code take()}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = "-Xmx512m")
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class RingBenchmark {
    private static final int SIZE = 1024;

    @Param({"blocking", "sleeping"})
    String waitStrategy;

    private final ISOMsg answer = new ISOMsg("0210");
    private Ring ring;
    private volatile long ringConsumed;
    private long ringPublished;
    private BlockingQueue<ISOMsg> queue;
    private Thread queueConsumer;
    private volatile long queueConsumed;
    private long queuePublished;

    @Setup(Level.Trial)
    public void setUp() {
        EventHandler<SwitchEvent> handler = (e, sequence, endOfBatch) -> {
            ringConsumed = sequence + 1;
            e.clear();
        };
        ring = new Ring(SIZE, waitStrategy, handler).start();
        queue = new ArrayBlockingQueue<>(SIZE);
        queueConsumer = new Thread(() -> {
            try {
                while (true) {
                    queue.take();
                    queueConsumed = queueConsumed + 1; // single writer
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "queue-consumer");
        queueConsumer.setDaemon(true);
        queueConsumer.start();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        ring.close();
        queueConsumer.interrupt();
    }

    @Benchmark
    public long ringHop() {
        long target = ++ringPublished;
        while (!ring.tryPublishResponse(0, answer)) {
            Thread.onSpinWait();
        }
        while (ringConsumed < target) {
            Thread.onSpinWait();
        }
        return target;
    }

    @Benchmark
    public long queueHop() {
        long target = ++queuePublished;
        while (!queue.offer(answer)) {
            Thread.onSpinWait();
        }
        while (queueConsumed < target) {
            Thread.onSpinWait();
        }
        return target;
    }
}
