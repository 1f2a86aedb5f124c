package io.acqswitch.cluster;

import java.nio.charset.StandardCharsets;

/**
 * One change of the store as it goes to Kafka: the new whole value of one key, or {@code null} for
 * a removal (a tombstone, so the topic can be compacted). Keys: {@code R<rrn>} for a record (value:
 * its encoded bytes), {@code I<index key>} for an index entry (value: the UTF-8 index value).
 *
 * @param partition the partition of the terminal it concerns
 */
record Change(int partition, byte[] key, byte[] value) {
    static final byte RECORD = 'R';
    static final byte INDEX = 'I';

    static Change record(int partition, String rrn, byte[] bytes) {
        return new Change(partition, key(RECORD, rrn), bytes);
    }

    static Change index(int partition, String indexKey, String value) {
        return new Change(partition, key(INDEX, indexKey), value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] key(byte kind, String name) {
        byte[] text = name.getBytes(StandardCharsets.UTF_8);
        byte[] k = new byte[text.length + 1];
        k[0] = kind;
        System.arraycopy(text, 0, k, 1, text.length);
        return k;
    }

    /** The key without its kind byte. */
    static String name(byte[] key) {
        return new String(key, 1, key.length - 1, StandardCharsets.UTF_8);
    }
}
