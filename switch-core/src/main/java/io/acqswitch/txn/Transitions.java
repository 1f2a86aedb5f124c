package io.acqswitch.txn;

import io.acqswitch.metrics.SwitchMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place a record's state changes: a transition {@link TxnState#canBecome} refuses is a
 * bug, counted ({@code switch_illegal_transitions_total}) and logged, and the record stays as it
 * was. Processor thread only.
 */
public final class Transitions {
    private static final Logger LOG = LoggerFactory.getLogger(Transitions.class);
    private final SwitchMetrics metrics;

    Transitions(SwitchMetrics metrics) {
        this.metrics = metrics;
    }

    /** @return false (and the state unchanged) when the transition is illegal */
    public boolean apply(TxnRecord r, TxnState next) {
        if (!r.state.canBecome(next)) {
            metrics.count("switch_illegal_transitions", "from", r.state.name(), "to", next.name());
            LOG.error("illegal transition {} -> {} refused for {}", r.state, next, r);
            return false;
        }
        r.state = next;
        return true;
    }
}
