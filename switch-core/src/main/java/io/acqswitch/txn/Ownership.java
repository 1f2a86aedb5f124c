package io.acqswitch.txn;

/**
 * Which transactions this node serves. Alone it serves all of them; in a cluster only those of the
 * partitions it owns (docs/cluster.md): a request for another terminal is answered 91, and a
 * record of another partition is neither recovered nor changed at an issuer's word. An interface
 * here so that {@code txn} does not depend on {@code cluster}. Processor thread only.
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
}
