package io.acqswitch.txn;

/**
 * The processor's two times. {@link #wallMillis()} is for what goes on the wire and into records
 * (RRN day, received/forwarded/completed times, expiries that must survive a restart);
 * {@link #nanos()} is monotonic and drives everything that waits (issuer deadlines, SAF retries and
 * expiry), so a step of the wall clock (NTP, an operator, a VM resumed) fires no deadline early or
 * late. Tests inject a manual one.
 */
public interface TxnClock {
    /** The system's clocks: {@link System#currentTimeMillis()} and {@link System#nanoTime()}. */
    TxnClock SYSTEM = new TxnClock() {
        @Override
        public long wallMillis() {
            return System.currentTimeMillis();
        }

        @Override
        public long nanos() {
            return System.nanoTime();
        }
    };

    /** Milliseconds since the epoch; may jump either way. */
    long wallMillis();

    /** A monotonic count of nanoseconds from an arbitrary origin; only differences mean anything. */
    long nanos();
}
