package io.acqswitch.sim;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The rules in force and the state that lives exactly as long as they do (how many reversals they
 * have ignored so far). Replaced as a whole, so a rule change also restarts {@code ignoreReversals}.
 * Thread-safe.
 */
final class ActiveRules {
    private final StubRules rules;
    private final AtomicInteger reversalsIgnored = new AtomicInteger();

    ActiveRules(StubRules rules) {
        this.rules = Objects.requireNonNull(rules, "rules");
    }

    StubRules rules() {
        return rules;
    }

    /** True for the first {@code ignoreReversals} calls, false afterwards. */
    boolean ignoreNextReversal() {
        int limit = rules.ignoreReversals();
        return limit > 0 && reversalsIgnored.getAndUpdate(n -> n < limit ? n + 1 : n) < limit;
    }
}
