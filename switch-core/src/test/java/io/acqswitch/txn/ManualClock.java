package io.acqswitch.txn;

import java.time.Duration;

/**
 * A {@link TxnClock} the test moves: {@link #advance} moves both times, as real time passing does;
 * {@link #stepWall} moves only the wall clock, as NTP or an operator would. Not thread-safe.
 */
public final class ManualClock implements TxnClock {
    private long wallMillis;
    private long nanos = 1_000_000_000L;

    public ManualClock(long wallMillis) {
        this.wallMillis = wallMillis;
    }

    public void advance(Duration d) {
        wallMillis += d.toMillis();
        nanos += d.toNanos();
    }

    public void stepWall(Duration d) {
        wallMillis += d.toMillis();
    }

    @Override
    public long wallMillis() {
        return wallMillis;
    }

    @Override
    public long nanos() {
        return nanos;
    }
}
