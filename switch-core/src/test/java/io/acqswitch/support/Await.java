package io.acqswitch.support;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.awaitility.Awaitility;

/**
 * Waiting on a condition instead of sleeping (Awaitility): {@link #until} returns as soon as it
 * holds, {@link #holds} proves that it keeps holding. Polls every 20 ms from the start.
 */
public final class Await {
    private static final Duration POLL = Duration.ofMillis(20);

    private Await() {}

    /** Returns once {@code condition} holds; fails naming {@code what} when it still does not after {@code limit}. */
    public static void until(String what, BooleanSupplier condition, Duration limit) {
        Awaitility.await(what).pollDelay(Duration.ZERO).pollInterval(POLL).atMost(limit).until(condition::getAsBoolean);
    }

    /**
     * The first value of {@code value} that is {@code ok}, at most {@code limit}; an exception of
     * {@code value} fails the wait at once.
     */
    public static <T> T until(String what, Callable<T> value, Predicate<? super T> ok, Duration limit) {
        return Awaitility.await(what).pollDelay(Duration.ZERO).pollInterval(POLL).atMost(limit).until(value, ok);
    }

    /**
     * Returns once {@code condition} has held for all of {@code during} (a thing that must not happen,
     * e.g. a reversal nobody queued, would show by then); fails naming {@code what} as soon as it does not.
     */
    public static void holds(String what, BooleanSupplier condition, Duration during) {
        Awaitility.await(what).pollDelay(Duration.ZERO).pollInterval(POLL).during(during)
                .atMost(during.plusSeconds(5)).until(condition::getAsBoolean);
    }
}
