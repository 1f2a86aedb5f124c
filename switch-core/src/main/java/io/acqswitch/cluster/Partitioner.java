package io.acqswitch.cluster;

import io.acqswitch.txn.RecordCodec;
import io.acqswitch.txn.TxnRecord;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Utils;
import java.util.Arrays;

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
        return ofTerminal(terminal.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The partition of an encoded record: its terminal as its original key names it (field 32 as
     * sent, 42, 41), read from the bytes without decoding the record (this runs for every put on
     * the processor thread).
     */
    public int ofRecord(byte[] record) {
        int offset = RecordCodec.originalKeyOffset(record);
        if (offset > 0) {
            int end = offset + RecordCodec.originalKeyLength(record, offset);
            int start = indexOf(record, offset, end, 0);
            int stop = start < 0 ? -1 : indexOf(record, start + 1, end, 2);
            if (stop > 0) {
                return ofTerminal(Arrays.copyOfRange(record, start + 1, stop));
            }
        }
        TxnRecord r = RecordCodec.decode(record); // no original key: the record's own fields
        return ofTerminal(r.acquirerId + '|' + r.merchantId + '|' + r.terminalId);
    }

    /** The partition of a decoded record, as {@link #ofRecord(byte[])} finds it in the bytes. */
    public int ofRecord(TxnRecord r) {
        String terminal = r.originalKey == null ? null : terminalOfKey(r.originalKey);
        return ofTerminal(terminal != null ? terminal : r.acquirerId + '|' + r.merchantId + '|' + r.terminalId);
    }

    private int ofTerminal(byte[] terminal) {
        return Utils.toPositive(Utils.murmur2(terminal)) % partitions;
    }

    /** Position of the {@code skip+1}-th {@code '|'} in {@code bytes[from, to)}, or -1. */
    private static int indexOf(byte[] bytes, int from, int to, int skip) {
        for (int i = from; i < to; i++) {
            if (bytes[i] == '|' && skip-- == 0) {
                return i;
            }
        }
        return -1;
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
