package io.acqswitch.journal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.ThreadMXBean;
import io.acqswitch.store.TransactionStore;
import io.acqswitch.support.Await;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;
import org.jpos.iso.ISOMsg;

/**
 * The queue between the processor and the journal writer: FIFO, bounded exactly, never blocking,
 * nothing lost or doubled with several producers, the writer woken when it asked to be, and an
 * offer that allocates nothing, through {@link JournalingStore#put} too.
 */
class ChangeQueueTest {
    private static final byte[] BYTES = {1, 2, 3};

    private static List<String> drainAll(ChangeQueue q) {
        List<String> out = new ArrayList<>();
        q.drain((rrn, record, request, at) -> out.add(rrn + "@" + at), Integer.MAX_VALUE);
        return out;
    }

    @Test
    void shouldKeepOrderAndCapacityAcrossWrapAround() {
        ChangeQueue q = new ChangeQueue(3);
        assertEquals(Long.MAX_VALUE, q.oldestOfferedAt());
        for (int lap = 0; lap < 5; lap++) {
            assertTrue(q.offer("a" + lap, BYTES, 10 * lap));
            assertTrue(q.offer("b" + lap, BYTES, 10 * lap + 1));
            assertTrue(q.offer("c" + lap, BYTES, 10 * lap + 2));
            assertFalse(q.offer("d" + lap, BYTES, 10 * lap + 3), "full at exactly its capacity");
            assertEquals(3, q.size());
            assertEquals(10 * lap, q.oldestOfferedAt());
            List<String> first = new ArrayList<>();
            assertEquals(1, q.drain((rrn, record, request, at) -> first.add(rrn), 1));
            assertEquals(List.of("a" + lap), first);
            assertTrue(q.offer("e" + lap, BYTES, 10 * lap + 4), "room again once one is taken");
            assertEquals(List.of("b" + lap + "@" + (10 * lap + 1), "c" + lap + "@" + (10 * lap + 2),
                    "e" + lap + "@" + (10 * lap + 4)), drainAll(q));
            assertTrue(q.isEmpty());
        }
    }

    @Test
    void shouldHandTheSameBytesOverAndForgetThemOnceTaken() {
        ChangeQueue q = new ChangeQueue(4);
        byte[] record = {9, 9};
        q.offer("r", record, 1);
        byte[][] got = new byte[1][];
        q.drain((rrn, bytes, request, at) -> got[0] = bytes, 10);
        assertSame(record, got[0], "no copy: the array the processor made for the store");
        assertEquals(0, q.drain((rrn, bytes, request, at) -> got[0] = null, 10));
        assertArrayEquals(new byte[] {9, 9}, got[0]);
    }

    @Test
    void shouldLoseAndDoubleNothingWithSeveralProducers() throws Exception {
        int producers = 4;
        int each = 50_000;
        ChangeQueue q = new ChangeQueue(1024);
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        long[] overflows = new long[producers];
        for (int p = 0; p < producers; p++) {
            int id = p;
            Thread t = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < each; i++) {
                    while (!q.offer(Integer.toString(id), BYTES, i)) { // full: offer never waits, so the test does
                        overflows[id]++;
                        Thread.onSpinWait();
                    }
                }
            });
            t.start();
            threads.add(t);
        }
        long[] next = new long[producers];
        int[] taken = {0};
        go.countDown();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (taken[0] < producers * each) {
            assertTrue(System.nanoTime() < end, "took " + taken[0] + " of " + producers * each);
            q.drain((rrn, record, request, at) -> {
                int id = Integer.parseInt(rrn);
                assertEquals(next[id], at, "each producer's changes in its order, none lost or doubled");
                next[id]++;
                taken[0]++;
            }, 256);
            q.await(1, TimeUnit.MILLISECONDS.toNanos(1));
        }
        for (Thread t : threads) {
            t.join(5_000);
        }
        for (int p = 0; p < producers; p++) {
            assertEquals(each, next[p]);
        }
        assertTrue(q.isEmpty());
    }

    @Test
    void shouldWakeTheWriterWhenWhatItAskedForIsQueued() throws Exception {
        ChangeQueue q = new ChangeQueue(64);
        CountDownLatch woke = new CountDownLatch(1);
        long[] waited = new long[1];
        Thread writer = new Thread(() -> {
            long t0 = System.nanoTime();
            q.await(3, TimeUnit.SECONDS.toNanos(20));
            waited[0] = System.nanoTime() - t0;
            woke.countDown();
        });
        writer.start();
        Await.until("the writer waits", () -> writer.getState() == Thread.State.TIMED_WAITING, Duration.ofSeconds(10));
        q.offer("1", BYTES, 1);
        q.offer("2", BYTES, 2);
        assertFalse(woke.await(200, TimeUnit.MILLISECONDS), "two of the three it asked for: it waits on");
        q.offer("3", BYTES, 3);
        assertTrue(woke.await(10, TimeUnit.SECONDS), "the third wakes it");
        assertTrue(waited[0] < TimeUnit.SECONDS.toNanos(15), "woken, not timed out: " + waited[0]);
        writer.join(5_000);
    }

    @Test
    void shouldNotAllocateOnTheProcessorsThreadToQueueAChange() {
        ChangeQueue q = new ChangeQueue(4096);
        String[] rrns = new String[1000];
        for (int i = 0; i < rrns.length; i++) {
            rrns[i] = Integer.toString(i);
        }
        ChangeQueue.Taker discard = (rrn, record, request, at) -> { };
        for (int round = 0; round < 200; round++) { // warm up: compiled as the processor would run it
            for (String rrn : rrns) {
                q.offer(rrn, BYTES, round);
            }
            q.drain(discard, Integer.MAX_VALUE);
        }
        long bytes = Long.MAX_VALUE;
        for (int round = 0; round < 3; round++) { // the least of three: a one-off (a class loaded, a stub) is not the offer's
            int r = round;
            bytes = Math.min(bytes, allocated(() -> {
                for (String rrn : rrns) {
                    q.offer(rrn, BYTES, r);
                }
            }));
            q.drain(discard, Integer.MAX_VALUE);
        }
        assertTrue(bytes < rrns.length, bytes + " bytes for " + rrns.length + " offers");
    }

    @Test
    void shouldNotAllocateInJournalingStorePutWhileTheQueueHasRoom() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        JournalWriter writer = new JournalWriter(new JournalDb("jdbc:h2:mem:unused", "sa", ""), new NullStore(), null, 8192,
                100, Duration.ofMillis(10), Duration.ofMillis(100), registry, () -> 1_700_000_000_000L);
        // not started: nothing drains, so the puts below must fit in the queue
        JournalingStore journaling = new JournalingStore(new NullStore(), writer);
        ISOMsg request = new ISOMsg("0200"); // handed over by reference, as the processor does
        String[] rrns = new String[1000];
        for (int i = 0; i < rrns.length; i++) {
            rrns[i] = Integer.toString(i);
        }
        for (int round = 0; round < 4; round++) { // warm up, within the queue's room (8 x 1000 puts in all)
            for (String rrn : rrns) {
                journaling.put(rrn, BYTES, request);
            }
        }
        long bytes = Long.MAX_VALUE;
        for (int round = 0; round < 3; round++) { // the least of three: a one-off (a class loaded, a stub) is not the put's
            bytes = Math.min(bytes, allocated(() -> {
                for (String rrn : rrns) {
                    journaling.put(rrn, BYTES, request);
                }
            }));
        }
        assertEquals(0.0, registry.get("switch_journal_overflows").counter().count(), "every put was queued");
        // the queue's holder objects used to cost 32 bytes a change on the processor's thread
        assertTrue(bytes < rrns.length, bytes + " bytes for " + rrns.length + " puts");
    }

    private static long allocated(Runnable r) {
        var mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = mx.getCurrentThreadAllocatedBytes();
        r.run();
        return mx.getCurrentThreadAllocatedBytes() - before;
    }

    /** A store that keeps nothing: only the journal's share of a put is measured. */
    private static final class NullStore implements TransactionStore {
        @Override
        public byte[] get(String rrn) {
            return null;
        }

        @Override
        public void put(String rrn, byte[] record) {}

        @Override
        public void remove(String rrn) {}

        @Override
        public String index(String key) {
            return null;
        }

        @Override
        public void putIndex(String key, String rrn) {}

        @Override
        public void removeIndex(String key) {}

        @Override
        public void forEach(BiConsumer<String, byte[]> visitor) {}

        @Override
        public void forEachIndex(String prefix, BiConsumer<String, String> visitor) {}

        @Override
        public long next(String counter) {
            return 0;
        }

        @Override
        public long records() {
            return 0;
        }

        @Override
        public long capacity() {
            return Long.MAX_VALUE;
        }

        @Override
        public void close() {}
    }
}
