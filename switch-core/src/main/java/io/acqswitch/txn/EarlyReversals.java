package io.acqswitch.txn;

import io.acqswitch.config.SwitchConfig;
import io.acqswitch.metrics.SwitchMetrics;
import io.acqswitch.store.TransactionStore;
import io.micrometer.core.instrument.Gauge;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Reversals (0400) that arrived before their original: each is remembered as a marker so that the
 * original, if it arrives later <em>with the same card, amount and currency</em>, is reversed as
 * soon as the issuer approves it. A marker that disagrees with the request that arrives under its
 * terminal and STAN is ignored: a forged reversal cannot make a genuine sale fail.
 *
 * <p>Markers live in the store's index (key {@code R|acquirer|merchant|terminal|STAN}, value
 * {@code panHash:amount:currency:expiresAt}), so they survive a restart. They expire, and they are
 * bounded per terminal and in all ({@link SwitchConfig.UnknownReversals}): past a bound a reversal
 * is not remembered (the processor answers it 96, so a genuine terminal sends it again) and the
 * refusal is counted. So a flood of forged reversals can fill neither the store nor the index.
 *
 * <p>Processor thread only, except {@link #live()}.
 */
final class EarlyReversals {
    /** What became of a reversal whose original is unknown. */
    enum Outcome {
        /** Remembered as a new marker. */
        REMEMBERED,
        /** A marker for the same original already waits (a repeat of the reversal). */
        REPEAT,
        /** Not remembered: the terminal has as many live markers as it may. */
        REFUSED_TERMINAL_BOUND,
        /** Not remembered: the switch has as many live markers as it may. */
        REFUSED_BOUND;

        final String tag = name().toLowerCase(Locale.ROOT);

        boolean remembered() {
            return this == REMEMBERED || this == REPEAT;
        }
    }

    private final TransactionStore store;
    private final SwitchMetrics metrics;
    private final long ttlMillis;
    private final int perTerminal;
    private final long max;
    /** Marker key → its expiry, in order of expiry (markers are added with a fixed time to live). */
    private final LinkedHashMap<String, Long> live = new LinkedHashMap<>();
    /** acquirer|merchant|terminal → its live markers. */
    private final Map<String, Integer> byTerminal = new HashMap<>();
    private final AtomicInteger published = new AtomicInteger();

    EarlyReversals(SwitchConfig cfg, TransactionStore store, SwitchMetrics metrics) {
        SwitchConfig.UnknownReversals c = cfg.transactions().unknownReversals();
        this.store = store;
        this.metrics = metrics;
        this.ttlMillis = c.expiry().toMillis();
        this.perTerminal = c.perTerminal();
        this.max = c.maxFor(cfg.store().expectedEntries());
        Gauge.builder("switch_reversal_markers", published, AtomicInteger::get)
                .description("Live markers of reversals whose original is not (yet) known").register(metrics.registry());
    }

    /**
     * Start-up, and each partition taken over: the markers the store holds for the terminals
     * {@code ofTerminal} accepts ({@code acquirer|merchant|terminal}) and not live yet, oldest
     * expiry first (a take-over's markers join after those already live, so they may go a tick late).
     */
    void load(Predicate<String> ofTerminal) {
        List<Map.Entry<String, Long>> found = new ArrayList<>();
        store.forEachIndex(DedupeKeys.REVERSED_FIRST, (key, value) -> {
            if (!live.containsKey(key) && ofTerminal.test(terminalOf(key))) { // a partition taken over adds its own
                found.add(Map.entry(key, Marker.parse(value).expiresAt()));
            }
        });
        found.sort(Comparator.comparingLong(Map.Entry::getValue));
        for (Map.Entry<String, Long> e : found) {
            live.put(e.getKey(), e.getValue());
            byTerminal.merge(terminalOf(e.getKey()), 1, Integer::sum);
        }
        published.set(live.size());
    }

    /**
     * A reversal of {@code originalKey} (a {@link DedupeKeys#original} key) whose original is not
     * known: remembered if the bounds allow. Counted as
     * {@code switch_reversals_unknown_original_total{outcome}}.
     */
    Outcome remember(String originalKey, Lifecycle.ReversalClaim claim, long now) {
        String key = markerKey(originalKey);
        Outcome outcome;
        String terminal = terminalOf(key);
        if (live.containsKey(key)) {
            outcome = Outcome.REPEAT;
        } else if (live.size() >= max) {
            outcome = Outcome.REFUSED_BOUND;
        } else if (byTerminal.getOrDefault(terminal, 0) >= perTerminal) {
            outcome = Outcome.REFUSED_TERMINAL_BOUND;
        } else {
            long expiresAt = now + ttlMillis;
            store.putIndex(key, new Marker(claim.panHash(), claim.amount(), claim.currency(), expiresAt).encode());
            live.put(key, expiresAt);
            byTerminal.merge(terminal, 1, Integer::sum);
            published.set(live.size());
            outcome = Outcome.REMEMBERED;
        }
        metrics.count("switch_reversals_unknown_original", "outcome", outcome.tag);
        return outcome;
    }

    /**
     * Whether a live marker waits for {@code r} (a request just received) and agrees with it in
     * card, amount and currency. Does not consume it: see {@link #consume}.
     */
    boolean reverses(TxnRecord r) {
        if (live.isEmpty()) {
            return false; // the usual case: no key to build
        }
        String key = markerKey(r.originalKey);
        if (!live.containsKey(key)) {
            return false;
        }
        String value = store.index(key);
        if (value == null) {
            return false;
        }
        Marker m = Marker.parse(value);
        boolean agrees = m.panHash() == r.panHash && m.amount() == r.amount
                && (m.currency().isEmpty() || m.currency().equals(r.currency));
        if (!agrees) {
            metrics.count("switch_reversal_markers_disagreeing");
        }
        return agrees;
    }

    /** The original of the marker for {@code originalKey} has been recorded: the marker is done. */
    void consume(String originalKey) {
        forget(markerKey(originalKey));
    }

    /** Removes expired markers (they are few: bounded in all). */
    void tick(long now) {
        for (Iterator<Map.Entry<String, Long>> it = live.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Long> e = it.next();
            if (e.getValue() > now) {
                break;
            }
            it.remove();
            store.removeIndex(e.getKey());
            byTerminal.computeIfPresent(terminalOf(e.getKey()), (k, n) -> n > 1 ? n - 1 : null);
            metrics.count("switch_reversal_markers_expired");
        }
        published.set(live.size());
    }

    /**
     * A cluster partition given up: the markers of the terminals {@code ofTerminal} accepts leave
     * memory (and the bounds); they stay in the store, as the new owner restored them.
     */
    void release(Predicate<String> ofTerminal) {
        for (Iterator<Map.Entry<String, Long>> it = live.entrySet().iterator(); it.hasNext(); ) {
            String terminal = terminalOf(it.next().getKey());
            if (ofTerminal.test(terminal)) {
                it.remove();
                byTerminal.computeIfPresent(terminal, (k, n) -> n > 1 ? n - 1 : null);
            }
        }
        published.set(live.size());
    }

    /** Live markers; any thread. */
    int live() {
        return published.get();
    }

    private void forget(String key) {
        if (live.remove(key) != null) {
            store.removeIndex(key);
            byTerminal.computeIfPresent(terminalOf(key), (k, n) -> n > 1 ? n - 1 : null);
            published.set(live.size());
        }
    }

    private static String markerKey(String originalKey) {
        return DedupeKeys.REVERSED_FIRST + originalKey.substring(DedupeKeys.ORIGINAL.length());
    }

    /** {@code R|acquirer|merchant|terminal|STAN} → {@code acquirer|merchant|terminal}. */
    private static String terminalOf(String markerKey) {
        return markerKey.substring(DedupeKeys.REVERSED_FIRST.length(), markerKey.lastIndexOf('|'));
    }

    /** What a marker remembers of its reversal, as stored in the index. */
    record Marker(long panHash, long amount, String currency, long expiresAt) {
        String encode() {
            return panHash + ":" + amount + ":" + currency + ":" + expiresAt;
        }

        /** Also reads a marker of an older layout (the reversal's STAN only): it agrees with nothing and expires now. */
        static Marker parse(String value) {
            String[] p = value.split(":", -1);
            if (p.length != 4) {
                return new Marker(0, -1, "", 0);
            }
            try {
                return new Marker(Long.parseLong(p[0]), Long.parseLong(p[1]), p[2], Long.parseLong(p[3]));
            } catch (NumberFormatException e) {
                return new Marker(0, -1, "", 0);
            }
        }
    }
}
