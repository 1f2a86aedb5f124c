package io.acqswitch.bench.load;

/**
 * What a {@link LoadGenerator} run reports as it goes, for samplers that need figures per interval
 * rather than per run (the soak). Called on the Netty event loops and on the sender thread, so an
 * implementation is thread-safe and returns quickly.
 */
interface LoadObserver {
    /** Observes nothing: the plain harness. */
    LoadObserver NONE = new LoadObserver() {
        @Override
        public void answered(long dueNanos, long nowNanos, String code) {}

        @Override
        public void failed(long requests) {}
    };

    /**
     * One answer, warm-up included.
     *
     * @param dueNanos the request's intended send time ({@link System#nanoTime()})
     * @param nowNanos when its answer was read
     * @param code     its field 39, or {@code "none"}
     */
    void answered(long dueNanos, long nowNanos, String code);

    /** {@code requests} became errors: not sent (connection down) or not answered within the timeout. */
    void failed(long requests);
}
