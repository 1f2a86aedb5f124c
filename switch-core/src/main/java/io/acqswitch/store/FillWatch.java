package io.acqswitch.store;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs one WARN when the store's records cross {@code warnAt} of its capacity, and one INFO when
 * they fall back below {@code rearmAt} (which re-arms the warning), so a store hovering at the
 * threshold does not flood the log. Called periodically from one thread (the node's ticker).
 */
public final class FillWatch implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(FillWatch.class);

    private final TransactionStore store;
    private final double warnAt;
    private final double rearmAt;
    private boolean warned;

    /** Warns at 90 % full, re-arms below 85 %. */
    public FillWatch(TransactionStore store) {
        this(store, 0.90, 0.85);
    }

    FillWatch(TransactionStore store, double warnAt, double rearmAt) {
        this.store = store;
        this.warnAt = warnAt;
        this.rearmAt = rearmAt;
    }

    @Override
    public void run() {
        check();
    }

    /** @return true if this call logged the nearly-full warning */
    boolean check() {
        if (!store.isOpen() || store.capacity() <= 0) {
            return false;
        }
        long n = store.records();
        double fill = (double) n / store.capacity();
        if (!warned && fill >= warnAt) {
            warned = true;
            LOG.warn("transaction store nearly full: {} of {} records ({}%); at capacity new requests are answered 96;"
                    + " raise store.expectedEntries", n, store.capacity(), Math.round(fill * 100));
            return true;
        }
        if (warned && fill < rearmAt) {
            warned = false;
            LOG.info("transaction store back below {}% full: {} of {} records", Math.round(rearmAt * 100), n,
                    store.capacity());
        }
        return false;
    }

    boolean warned() {
        return warned;
    }
}
