package io.acqswitch.txn;

import io.acqswitch.store.TransactionStore;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;

/**
 * The switch's own STAN (field 11) and RRN (field 37) sequences. Numbers are reserved from the
 * store in blocks of {@value #BLOCK}, so a restart never reuses one and the store is written once
 * per block, not per transaction. RRN = {@code yDDD} (last digit of the year, day of year) + 8
 * digits; STAN = 000001..999999. Processor thread only.
 */
final class Sequences {
    static final int BLOCK = 1000;
    private final TransactionStore store;
    private long next;
    private long limit;
    private long prefixDay = Long.MIN_VALUE;
    private String prefix;

    Sequences(TransactionStore store) {
        this.store = store;
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
            prefix = String.valueOf(t.getYear() % 10) + zeroPadded(t.getDayOfYear(), 3);
            prefixDay = day;
        }
        return prefix + zeroPadded(nextNumber() % 100_000_000L, 8);
    }

    String nextStan() {
        return zeroPadded(nextNumber() % 999_999 + 1, 6);
    }

    /** {@code n} in decimal, left-padded with zeros to {@code width} digits. */
    static String zeroPadded(long n, int width) {
        String digits = Long.toString(n);
        return digits.length() >= width ? digits : "0".repeat(width - digits.length()) + digits;
    }
}
