package io.acqswitch.cluster;

import io.acqswitch.iso.TerminalRequest;
import io.acqswitch.net.PeerLinks;
import io.acqswitch.pipeline.ReplyAddress;
import io.acqswitch.txn.Ownership;
import io.acqswitch.txn.TxnRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * The partitions this node serves, as the processor sees them: a partition becomes served only
 * once its take-over ran on the processor's thread, and stops being served at once when it is
 * given up. Written on the processor's thread (before the ring runs: the start-up thread); a
 * published copy is read by any thread ({@link #served()}: health, the gauge). A request of a
 * partition it does not serve goes to the owner the group's view names, once forwarding is set up
 * ({@link #forwardTo}).
 */
final class OwnedPartitions implements Ownership {
    private final Partitioner partitioner;
    private final boolean[] owned;
    private final AtomicIntegerArray published;
    private volatile Owners owners;
    private volatile PeerLinks links;
    private String self;

    OwnedPartitions(Partitioner partitioner) {
        this.partitioner = partitioner;
        this.owned = new boolean[partitioner.partitions()];
        this.published = new AtomicIntegerArray(partitioner.partitions());
    }

    /** From now on requests of other nodes' partitions are forwarded through {@code links}; {@code self}: this node's peer address, or null. */
    void forwardTo(Owners view, PeerLinks through, String selfAddress) {
        self = selfAddress;
        owners = view;
        links = through;
    }

    @Override
    public boolean forward(TerminalRequest req, String terminal, ReplyAddress from) {
        PeerLinks through = links;
        if (through == null) {
            return false;
        }
        String owner = owners.of(partitioner.ofTerminal(terminal));
        // this node named as the owner: it is taking the partition over (not served yet), or the view is stale
        return owner != null && !owner.equals(self) && through.forward(req, from, owner);
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
