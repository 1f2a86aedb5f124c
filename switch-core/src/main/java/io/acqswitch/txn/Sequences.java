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
        ZonedDateTime t = Instant.ofEpochMilli(nowMillis).atZone(ZoneOffset.UTC);
        return String.format("%d%03d%08d", t.getYear() % 10, t.getDayOfYear(), nextNumber() % 100_000_000L);
    }

    String nextStan() {
        return String.format("%06d", nextNumber() % 999_999 + 1);
    }
}
