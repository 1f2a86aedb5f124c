package io.acqswitch.cluster;

import io.acqswitch.txn.Ownership;
import io.acqswitch.txn.TxnRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * The partitions this node serves, as the processor sees them: a partition becomes served only
 * once its take-over ran on the processor's thread, and stops being served at once when it is
 * given up. Written on the processor's thread (before the ring runs: the start-up thread); a
 * published copy is read by any thread ({@link #served()}: health, the gauge).
 */
final class OwnedPartitions implements Ownership {
    private final Partitioner partitioner;
    private final boolean[] owned;
    private final AtomicIntegerArray published;

    OwnedPartitions(Partitioner partitioner) {
        this.partitioner = partitioner;
        this.owned = new boolean[partitioner.partitions()];
        this.published = new AtomicIntegerArray(partitioner.partitions());
    }

    void serve(int partition, boolean serve) {
        owned[partition] = serve;
        published.set(partition, serve ? 1 : 0);
    }

    boolean owns(int partition) {
        return owned[partition];
    }

    @Override
    public boolean ownsTerminal(String terminal) {
        return owned[partitioner.ofTerminal(terminal)];
    }

    @Override
    public boolean ownsRecord(TxnRecord r) {
        return owned[partitioner.ofRecord(r)];
    }

    /** The partitions served, ascending; any thread. */
    List<Integer> served() {
        List<Integer> l = new ArrayList<>();
        for (int p = 0; p < published.length(); p++) {
            if (published.get(p) == 1) {
                l.add(p);
            }
        }
        return l;
    }
}
