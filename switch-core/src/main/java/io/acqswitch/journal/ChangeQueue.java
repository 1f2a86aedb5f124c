package io.acqswitch.journal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.jpos.iso.ISOMsg;

/**
 * The bounded queue of record changes between the processor and the journal writer: a ring of
 * parallel arrays (RRN, record bytes, the terminal's request or null, time offered), so that
 * {@link #offer} stores four values and allocates nothing. The processor's share of journaling is this append; decoding and everything
 * else happen on the writer thread.
 *
 * <p>Any number of threads may offer (lock-free: a producer claims a position with one CAS, then
 * publishes its slot with a release store of the slot's sequence, the scheme of Vyukov's bounded
 * queue); one thread, the writer, takes. {@link #offer} never blocks and never waits for the taker:
 * when the ring is full it returns {@code false}. The writer parks in {@link #await} and is woken
 * only when as many changes as it asked for are queued, so a producer pays an unpark at most once
 * per batch, not per change.
 */
final class ChangeQueue {
    private static final VarHandle SEQUENCE = MethodHandles.arrayElementVarHandle(long[].class);

    /** What the writer does with each change it takes. */
    @FunctionalInterface
    interface Taker {
        void take(String rrn, byte[] record, ISOMsg request, long offeredAt);
    }

    private final int capacity;
    /**
     * Per slot: {@code p} while free for the producer of position {@code p}, {@code p + 1} once that
     * producer has filled it, {@code p + capacity} once the writer has emptied it again.
     */
    private final long[] sequence;
    private final String[] rrns;
    private final byte[][] records;
    private final ISOMsg[] requests;
    private final long[] offeredAt;
    /** The next position a producer claims. */
    private final AtomicLong tail = new AtomicLong();
    /** The next position the writer takes (written by the writer only; volatile for {@link #size}). */
    private volatile long head;
    /** The writer while it is parked in {@link #await}, else {@code null}. */
    private volatile Thread waiter;
    /** How many queued changes wake the parked writer. */
    private volatile int wakeAt = Integer.MAX_VALUE;

    ChangeQueue(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity " + capacity);
        }
        this.capacity = capacity;
        sequence = new long[capacity];
        rrns = new String[capacity];
        records = new byte[capacity][];
        requests = new ISOMsg[capacity];
        offeredAt = new long[capacity];
        for (int i = 0; i < capacity; i++) {
            sequence[i] = i;
        }
    }

    /** As {@link #offer(String, byte[], ISOMsg, long)} with no request. */
    boolean offer(String rrn, byte[] record, long at) {
        return offer(rrn, record, null, at);
    }

    /**
     * Appends one change, with the terminal's request it carries (or null); any thread, never
     * blocks, allocates nothing.
     *
     * @return {@code false} when the queue is full (nothing was stored)
     */
    boolean offer(String rrn, byte[] record, ISOMsg request, long at) {
        while (true) {
            long pos = tail.get();
            int slot = (int) (pos % capacity);
            long seq = (long) SEQUENCE.getAcquire(sequence, slot);
            if (seq == pos) {
                if (tail.compareAndSet(pos, pos + 1)) {
                    rrns[slot] = rrn;
                    records[slot] = record;
                    requests[slot] = request;
                    offeredAt[slot] = at;
                    SEQUENCE.setRelease(sequence, slot, pos + 1);
                    Thread w = waiter;
                    if (w != null && pos + 1 - head >= wakeAt) {
                        waiter = null;
                        LockSupport.unpark(w);
                    }
                    return true;
                }
            } else if (seq < pos) {
                return false; // the slot still holds the change offered one lap ago: full
            }
            // else another producer took this position first: try the next one
        }
    }

    /**
     * Takes up to {@code max} changes, oldest first, handing each to {@code taker} (writer thread
     * only). Stops early at a position claimed by a producer that has not yet filled it.
     *
     * @return how many were taken
     */
    int drain(Taker taker, int max) {
        long h = head;
        int n = 0;
        while (n < max) {
            int slot = (int) (h % capacity);
            if ((long) SEQUENCE.getAcquire(sequence, slot) != h + 1) {
                break;
            }
            String rrn = rrns[slot];
            byte[] record = records[slot];
            ISOMsg request = requests[slot];
            long at = offeredAt[slot];
            rrns[slot] = null; // the queue does not keep what the writer has taken alive
            records[slot] = null;
            requests[slot] = null;
            SEQUENCE.setRelease(sequence, slot, h + capacity);
            head = ++h;
            n++;
            taker.take(rrn, record, request, at);
        }
        return n;
    }

    /**
     * Parks the writer until at least {@code changes} are queued, {@code nanos} have passed, or it
     * is interrupted (writer thread only; it may also return early, as parking may).
     */
    void await(int changes, long nanos) {
        if (nanos <= 0) {
            return;
        }
        wakeAt = Math.max(1, changes);
        waiter = Thread.currentThread();
        // checked after publishing the waiter: a producer that appended before it was visible is seen here
        if (size() < changes) {
            LockSupport.parkNanos(this, nanos);
        }
        waiter = null;
        wakeAt = Integer.MAX_VALUE;
    }

    /** Changes queued (claimed by a producer and not yet taken); any thread. */
    int size() {
        long n = tail.get() - head;
        return (int) Math.max(0, Math.min(capacity, n));
    }

    boolean isEmpty() {
        return size() == 0;
    }

    /**
     * When the oldest queued change was offered, or {@link Long#MAX_VALUE} when none is; any thread
     * (for a gauge: the writer may take that change meanwhile, making the answer a little stale).
     */
    long oldestOfferedAt() {
        long h = head;
        int slot = (int) (h % capacity);
        if ((long) SEQUENCE.getAcquire(sequence, slot) != h + 1) {
            return Long.MAX_VALUE;
        }
        return offeredAt[slot];
    }

    int capacity() {
        return capacity;
    }
}
