package io.acqswitch.txn;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The strings of a record's low-cardinality fields (MTI, processing code, terminal, merchant,
 * currency, issuer, response code, batch), decoded once and then reused: a direct-mapped table of
 * {@value #SLOTS} slots keyed by the field's UTF-8 bytes, each slot keeping the bytes it was made
 * from to compare with. A miss decodes and takes the slot. For a thread that decodes many records
 * whose fields repeat (the journal writer decodes every change). Not thread-safe: one per thread.
 */
public final class StringCache {
    private static final int SLOTS = 1024;
    /** Longer values (free text) are decoded every time: they seldom repeat. */
    private static final int MAX_LENGTH = 24;

    private final byte[][] keys = new byte[SLOTS][];
    private final String[] values = new String[SLOTS];

    /** The string of {@code n} UTF-8 bytes of {@code a} at {@code off}. */
    String get(byte[] a, int off, int n) {
        if (n > MAX_LENGTH) {
            return new String(a, off, n, StandardCharsets.UTF_8);
        }
        int h = 1;
        for (int i = off; i < off + n; i++) {
            h = 31 * h + a[i];
        }
        int slot = (h ^ h >>> 16) & (SLOTS - 1);
        byte[] k = keys[slot];
        if (k != null && Arrays.equals(k, 0, k.length, a, off, off + n)) {
            return values[slot];
        }
        String s = new String(a, off, n, StandardCharsets.UTF_8);
        keys[slot] = Arrays.copyOfRange(a, off, off + n);
        values[slot] = s;
        return s;
    }
}
