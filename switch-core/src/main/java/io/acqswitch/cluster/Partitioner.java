package io.acqswitch.cluster;

import io.acqswitch.txn.RecordCodec;
import io.acqswitch.txn.TxnRecord;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Utils;

/**
 * Which of the P partitions a terminal, a record or an index entry belongs to: {@code
 * toPositive(murmur2(utf8("acquirer|merchant|terminal"))) mod P}, Kafka's own key hash, so every
 * change about one terminal lands in one partition. Stateless; any thread.
 */
public final class Partitioner {
    private final int partitions;

    public Partitioner(int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1: " + partitions);
        }
        this.partitions = partitions;
    }

    public int partitions() {
        return partitions;
    }

    /** @param terminal {@code acquirer|merchant|terminal} */
    public int ofTerminal(String terminal) {
        return Utils.toPositive(Utils.murmur2(terminal.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    /** The partition of an encoded record: its terminal as its original key names it (field 32 as sent, 42, 41). */
    public int ofRecord(byte[] record) {
        TxnRecord r = RecordCodec.decode(record);
        String terminal = terminalOfKey(r.originalKey);
        return ofTerminal(terminal != null ? terminal : r.acquirerId + '|' + r.merchantId + '|' + r.terminalId);
    }

    /**
     * The partition of an index key that names no record, from the terminal inside it: the
     * processor's keys are {@code tag|acquirer|merchant|terminal|...} (dedupe, original, early
     * reversal marker). A key of another shape goes by its whole text.
     */
    public int ofIndexKey(String key) {
        String terminal = terminalOfKey(key);
        return ofTerminal(terminal != null ? terminal : key);
    }

    /** {@code tag|a|m|t|rest...} → {@code a|m|t}, or {@code null} when the key has fewer parts. */
    static String terminalOfKey(String key) {
        int start = key.indexOf('|');
        if (start < 0) {
            return null;
        }
        int end = start;
        for (int i = 0; i < 3; i++) {
            end = key.indexOf('|', end + 1);
            if (end < 0) {
                return null;
            }
        }
        return key.substring(start + 1, end);
    }
}
