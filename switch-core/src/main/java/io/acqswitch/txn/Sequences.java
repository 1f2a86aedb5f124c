package io.acqswitch.txn;

import io.acqswitch.store.TransactionStore;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;

/**
 * The switch's own STAN (field 11) and RRN (field 37) sequences. Numbers are reserved from the
 * store in blocks of {@value #BLOCK}, so a restart never reuses one and the store is written once
 * per block, not per transaction. A single node: RRN = {@code yDDD} (last digit of the year, day of
 * year) + 8 digits; STAN = 000001..999999. A cluster node (docs/cluster.md) puts its node id N
 * (0-9) inside both, so two nodes never send the same one to an issuer: RRN = {@code yDDD} + N + 7
 * digits; STAN = N + 00001..99999. Processor thread only.
 */
final class Sequences {
    static final int BLOCK = 1000;
    private final TransactionStore store;
    private long next;
    private long limit;
    private long prefixDay = Long.MIN_VALUE;
    private String prefix;
    /** The node's digit, or -1 for a single node. */
    private final int nodeId;

    /** A single node's sequences. */
    Sequences(TransactionStore store) {
        this(store, null);
    }

    /** @param nodeId the cluster node id (0-9), or {@code null} for a single node */
    Sequences(TransactionStore store, Integer nodeId) {
        if (nodeId != null && (nodeId < 0 || nodeId > 9)) {
            throw new IllegalArgumentException("node id must be 0 to 9: " + nodeId);
        }
        this.store = store;
        this.nodeId = nodeId == null ? -1 : nodeId;
    }

    private long nextNumber() {
        if (next >= limit) {
            next = store.next("sequence-block") * BLOCK;
            limit = next + BLOCK;
        }
        return next++;
    }

    String nextRrn(long nowMillis) {
        long day = Math.floorDiv(nowMillis, 86_400_000L);
        if (day != prefixDay) { // the yDDD prefix changes once a day: not worth a date computation per RRN
            ZonedDateTime t = Instant.ofEpochMilli(nowMillis).atZone(ZoneOffset.UTC);
            prefix = String.valueOf(t.getYear() % 10) + zeroPadded(t.getDayOfYear(), 3) + (nodeId < 0 ? "" : nodeId);
            prefixDay = day;
        }
        return nodeId < 0 ? prefix + zeroPadded(nextNumber() % 100_000_000L, 8) : prefix + zeroPadded(nextNumber() % 10_000_000L, 7);
    }

    String nextStan() {
        return nodeId < 0 ? zeroPadded(nextNumber() % 999_999 + 1, 6) : nodeId + zeroPadded(nextNumber() % 99_999 + 1, 5);
    }

    /** {@code n} in decimal, left-padded with zeros to {@code width} digits. */
    static String zeroPadded(long n, int width) {
        String digits = Long.toString(n);
        return digits.length() >= width ? digits : "0".repeat(width - digits.length()) + digits;
    }
}
