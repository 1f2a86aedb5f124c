package io.acqswitch.cluster;

import io.acqswitch.config.SwitchConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.Collections;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The replication barrier: takes the changes a {@link ReplicatingStore} kept since the last
 * barrier, hands each partition's share to its {@link PartitionWriter}, and in {@code sync} mode
 * waits until Kafka has committed everything submitted so far (this batch's and any earlier one's
 * still outstanding). {@link #barrier}: the processor thread (through {@link ReplicationGate}).
 */
public final class Replication {
    private final ReplicatingStore store;
    private final AtomicReferenceArray<PartitionWriter> writers;
    private final boolean sync;
    private final Duration ackTimeout;
    private final Runnable onTimeout;

    /**
     * @param writers   indexed by partition; {@code null} for a partition this node does not own (set
     *                  and cleared by the cluster's ownership thread as partitions come and go)
     * @param onTimeout called when a sync barrier gives up (a failure the writers did not count)
     */
    Replication(ReplicatingStore store, AtomicReferenceArray<PartitionWriter> writers, SwitchConfig.Replication mode, Duration ackTimeout,
                Runnable onTimeout) {
        this.store = store;
        this.writers = writers;
        this.sync = mode == SwitchConfig.Replication.SYNC;
        this.ackTimeout = ackTimeout;
        this.onTimeout = onTimeout;
    }

    /**
     * Hands the changes over; in sync mode returns only once they (and all before them) are committed.
     *
     * @throws ReplicationException sync mode: not acknowledged within the ack timeout, or refused
     *         (the partition's producer was fenced); the caller must let nothing of the batch leave
     */
    public void barrier() {
        List<Change> changes = store.drain();
        if (!changes.isEmpty()) {
            submit(changes);
        }
        if (sync) {
            await();
        }
    }

    private void submit(List<Change> changes) {
        List<List<Change>> byPartition = new ArrayList<>(Collections.nCopies(writers.length(), (List<Change>) null));
        for (Change c : changes) {
            List<Change> l = byPartition.get(c.partition());
            if (l == null) {
                l = new ArrayList<>();
                byPartition.set(c.partition(), l);
            }
            l.add(c);
        }
        for (int p = 0; p < writers.length(); p++) {
            List<Change> l = byPartition.get(p);
            if (l == null) {
                continue;
            }
            PartitionWriter w = writers.get(p);
            if (w == null) { // the store keeps only changes of partitions served, and a served one has its writer
                throw new ReplicationException("partition " + p + " changed on a node that does not own it", null);
            }
            w.submit(l);
        }
    }

    private void await() {
        List<CompletableFuture<Void>> outstanding = new ArrayList<>();
        for (int p = 0; p < writers.length(); p++) {
            PartitionWriter w = writers.get(p);
            if (w != null && !w.last().isDone()) {
                outstanding.add(w.last());
            } else if (w != null && w.last().isCompletedExceptionally()) {
                outstanding.add(w.last()); // a lost partition: fail the barrier again
            }
        }
        if (outstanding.isEmpty()) {
            return;
        }
        try {
            CompletableFuture.allOf(outstanding.toArray(CompletableFuture[]::new)).get(ackTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            onTimeout.run();
            throw new ReplicationException("replication not acknowledged within " + ackTimeout.toMillis() + "ms", e);
        } catch (ExecutionException e) {
            throw new ReplicationException("replication refused: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ReplicationException("interrupted while waiting for replication", e);
        }
    }
}
