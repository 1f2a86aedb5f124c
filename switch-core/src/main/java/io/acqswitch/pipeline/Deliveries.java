package io.acqswitch.pipeline;

import java.util.Arrays;

/**
 * Write outcomes of approvals, reported together ({@link Outbox}): for each RRN, whether the
 * terminal's socket took the answer. Filled on one event loop, then read once by the processor.
 */
public final class Deliveries {
    private String[] rrns;
    private boolean[] delivered;
    private int size;

    public Deliveries(int capacity) {
        rrns = new String[Math.max(1, capacity)];
        delivered = new boolean[rrns.length];
    }

    public void add(String rrn, boolean ok) {
        if (size == rrns.length) {
            rrns = Arrays.copyOf(rrns, size * 2);
            delivered = Arrays.copyOf(delivered, size * 2);
        }
        rrns[size] = rrn;
        delivered[size] = ok;
        size++;
    }

    public int size() {
        return size;
    }

    public String rrn(int i) {
        return rrns[i];
    }

    /** True when the answer of {@link #rrn(int)} reached the terminal's socket. */
    public boolean delivered(int i) {
        return delivered[i];
    }
}
