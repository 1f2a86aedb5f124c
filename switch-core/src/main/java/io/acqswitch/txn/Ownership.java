package io.acqswitch.txn;

import io.acqswitch.iso.TerminalRequest;
import io.acqswitch.pipeline.ReplyAddress;

/**
 * Which transactions this node serves. Alone it serves all of them; in a cluster only those of the
 * partitions it owns (docs/cluster.md): a request for another terminal is forwarded to its owner
 * (or answered 91 when it cannot be), and a record of another partition is neither recovered nor
 * changed at an issuer's word. An interface here so that {@code txn} does not depend on
 * {@code cluster}. Processor thread only.
 */
public interface Ownership {
    /** A single node: everything is its own. */
    Ownership ALL = new Ownership() {
        @Override
        public boolean ownsTerminal(String terminal) {
            return true;
        }

        @Override
        public boolean ownsRecord(TxnRecord r) {
            return true;
        }
    };

    /** @param terminal {@code acquirer|merchant|terminal} as {@link DedupeKeys#terminal} makes it */
    boolean ownsTerminal(String terminal);

    /** Whether {@code r} belongs to a partition this node owns. */
    boolean ownsRecord(TxnRecord r);

    /**
     * Hands a request of a partition this node does not serve to the node that owns it; the answer
     * comes back to {@code from} through this node. Must not wait.
     *
     * @param terminal {@code acquirer|merchant|terminal} of the request
     * @param from     where the request came from: a terminal's connection, or another node's link
     * @return false when it cannot be forwarded (no owner known, the owner is this node taking the
     *         partition over, or the request came from another node already): answer it 91
     */
    default boolean forward(TerminalRequest req, String terminal, ReplyAddress from) {
        return false;
    }
}
