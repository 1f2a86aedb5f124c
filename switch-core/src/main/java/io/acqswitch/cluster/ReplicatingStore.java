package io.acqswitch.cluster;

import io.acqswitch.store.ForwardingTransactionStore;
import io.acqswitch.store.TransactionStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;

/**
 * A {@link TransactionStore} that keeps every change it forwards ({@code put}, {@code remove},
 * {@code putIndex}, {@code removeIndex}) as a {@link Change} for Kafka, in order, each with the
 * partition of the terminal it concerns. The store is written first, as always; the changes wait
 * here until {@link #drain} (the replication barrier at the end of each ring batch). Counters
 * ({@link #next}) are the node's own and are not replicated. A change of a partition the node does
 * not serve (given up, or never its own: a stale local record) stays local and is counted, never
 * replicated: that partition's owner writes it. Processor thread only, like the store.
 */
public final class ReplicatingStore extends ForwardingTransactionStore {
    private final Partitioner partitioner;
    private final IntPredicate serves;
    private final Runnable onDropped;
    private List<Change> pending = new ArrayList<>();
    /** Partitions of the records changed since the last drain: an index entry may name one just removed. */
    private final Map<String, Integer> recent = new HashMap<>();

    /**
     * @param serves    whether this node serves a partition (processor thread)
     * @param onDropped called for each change not replicated because the node does not serve its partition
     */
    public ReplicatingStore(TransactionStore store, Partitioner partitioner, IntPredicate serves, Runnable onDropped) {
        super(store);
        this.partitioner = partitioner;
        this.serves = serves;
        this.onDropped = onDropped;
    }

    @Override
    public void put(String rrn, byte[] record) {
        super.put(rrn, record);
        int p = partitioner.ofRecord(record);
        recent.put(rrn, p);
        keep(Change.record(p, rrn, record));
    }

    @Override
    public void remove(String rrn) {
        Integer p = partitionOfRecord(rrn);
        super.remove(rrn);
        if (p != null) { // a record that was never there: nothing to replicate
            keep(Change.record(p, rrn, null));
        }
    }

    @Override
    public void putIndex(String key, String rrn) {
        super.putIndex(key, rrn);
        keep(Change.index(partitionOfIndex(key, rrn), key, rrn));
    }

    @Override
    public void removeIndex(String key) {
        String value = super.index(key);
        super.removeIndex(key);
        if (value != null) {
            keep(Change.index(partitionOfIndex(key, value), key, null));
        }
    }

    private void keep(Change c) {
        if (serves.test(c.partition())) {
            pending.add(c);
        } else {
            onDropped.run();
        }
    }

    /** The changes since the last call, in the order they were made (the caller owns the list). */
    List<Change> drain() {
        if (pending.isEmpty()) {
            return List.of();
        }
        List<Change> out = pending;
        pending = new ArrayList<>();
        recent.clear();
        return out;
    }

    /** An index entry goes with the record it names (the closed-batch key has no acquirer), else by the terminal in its key. */
    private int partitionOfIndex(String key, String value) {
        Integer p = partitionOfRecord(value);
        return p != null ? p : partitioner.ofIndexKey(key);
    }

    private Integer partitionOfRecord(String rrn) {
        Integer p = recent.get(rrn);
        if (p != null) {
            return p;
        }
        byte[] bytes = super.get(rrn);
        return bytes == null ? null : partitioner.ofRecord(bytes);
    }
}
