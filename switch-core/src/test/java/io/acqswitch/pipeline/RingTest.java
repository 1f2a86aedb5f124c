package io.acqswitch.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RingTest {

    @Test
    void shouldRefuseToPublishWhenFullInsteadOfWaiting() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (Ring ring = new Ring(16, "blocking", (e, seq, end) -> release.await()).start()) {
            int published = 0;
            for (int i = 0; i < 100; i++) { // bounded: the ring has 16 slots and its consumer is stuck
                if (ring.tryPublishTick()) {
                    published++;
                }
            }
            assertTrue(published <= 17, "at most the ring's slots (+ the one being handled): " + published);
            assertFalse(ring.tryPublishResponse(0, null));
            release.countDown();
        }
    }

    @Test
    void shouldCountHandlerFailuresAndKeepProcessing() throws Exception {
        AtomicInteger handled = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(3);
        try (Ring ring = new Ring(16, "blocking", (e, seq, end) -> {
            done.countDown();
            if (handled.incrementAndGet() == 1) {
                throw new IllegalStateException("a bug in the processor");
            }
        }).start()) {
            for (int i = 0; i < 3; i++) {
                assertTrue(ring.tryPublishTick());
            }
            assertTrue(done.await(5, TimeUnit.SECONDS), "events after the failure were still handled");
            assertEquals(1, ring.handlerErrors());
        }
    }
}
