package io.acqswitch.pipeline;

import com.lmax.disruptor.BlockingWaitStrategy;
import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.EventTranslatorOneArg;
import com.lmax.disruptor.EventTranslatorThreeArg;
import com.lmax.disruptor.EventTranslatorTwoArg;
import com.lmax.disruptor.ExceptionHandler;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.SleepingWaitStrategy;
import com.lmax.disruptor.TimeoutException;
import com.lmax.disruptor.WaitStrategy;
import com.lmax.disruptor.YieldingWaitStrategy;
import com.lmax.disruptor.dsl.Disruptor;
import com.lmax.disruptor.dsl.ProducerType;
import io.acqswitch.iso.TerminalRequest;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jpos.iso.ISOMsg;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one ring of a switch node: many publishers (Netty threads, the ticker), one consumer (the
 * processor). Publishing never waits: {@code try…} methods return false when the ring is full and
 * the caller answers 91. Translators are static, so publishing allocates nothing.
 */
public final class Ring implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Ring.class);

    private static final EventTranslatorTwoArg<SwitchEvent, TerminalRequest, ReplyAddress> REQUEST = (e, seq, req, ch) -> {
        e.type = EventType.TERMINAL_REQUEST;
        e.request = req;
        e.terminal = ch;
    };
    private static final EventTranslatorTwoArg<SwitchEvent, Integer, ISOMsg> RESPONSE = (e, seq, issuer, msg) -> {
        e.type = EventType.ISSUER_RESPONSE;
        e.issuer = issuer;
        e.issuerMessage = msg;
    };
    private static final EventTranslatorOneArg<SwitchEvent, Deliveries> DELIVERIES = (e, seq, outcomes) -> {
        e.type = EventType.DELIVERIES;
        e.deliveries = outcomes;
    };
    private static final EventTranslatorThreeArg<SwitchEvent, EventType, String, String> ADMIN =
            (e, seq, type, rrn, note) -> {
                e.type = type;
                e.rrn = rrn;
                e.note = note;
            };
    private static final EventTranslatorOneArg<SwitchEvent, Runnable> TASK = (e, seq, task) -> {
        e.type = EventType.TASK;
        e.task = task;
    };
    private static final EventTranslatorOneArg<SwitchEvent, Object> TICK = (e, seq, unused) -> e.type = EventType.TICK;

    private final Disruptor<SwitchEvent> disruptor;
    private final RingBuffer<SwitchEvent> ring;
    private final AtomicLong handlerErrors = new AtomicLong();

    /**
     * @param size         slots, a power of two
     * @param waitStrategy {@code blocking} (default: no core burnt when idle), {@code sleeping} or {@code yielding}
     */
    public Ring(int size, String waitStrategy, EventHandler<SwitchEvent> processor) {
        disruptor = new Disruptor<>(SwitchEvent::new, size, r -> {
            Thread t = new Thread(r, "processor");
            t.setDaemon(true);
            return t;
        }, ProducerType.MULTI, waitStrategy(waitStrategy));
        disruptor.handleEventsWith(processor);
        disruptor.setDefaultExceptionHandler(new CountingExceptionHandler());
        ring = disruptor.getRingBuffer();
    }

    static WaitStrategy waitStrategy(String name) {
        return switch (name) {
            case "sleeping" -> new SleepingWaitStrategy();
            case "yielding" -> new YieldingWaitStrategy();
            default -> new BlockingWaitStrategy();
        };
    }

    public Ring start() {
        disruptor.start();
        return this;
    }

    public boolean tryPublishRequest(TerminalRequest request, ReplyAddress terminal) {
        return ring.tryPublishEvent(REQUEST, request, terminal);
    }

    public boolean tryPublishResponse(int issuer, ISOMsg response) {
        return ring.tryPublishEvent(RESPONSE, issuer, response);
    }

    /**
     * Publishes write outcomes of approvals ({@link Outbox}); these must not be lost, so this waits
     * for a slot (briefly: the processor never blocks).
     */
    public void publishDeliveries(Deliveries outcomes) {
        ring.publishEvent(DELIVERIES, outcomes);
    }

    /**
     * {@code task} to run on the processor's thread ({@link EventType#TASK}); waits for a slot, like
     * {@link #publishDeliveries}: it must not be lost.
     */
    public void publishTask(Runnable task) {
        ring.publishEvent(TASK, task);
    }

    /** An operations command ({@link EventType#SAF_REQUEUE}, {@link EventType#SAF_RESOLVE}); false when the ring is full. */
    public boolean tryPublishAdmin(EventType type, String rrn, String note) {
        return ring.tryPublishEvent(ADMIN, type, rrn, note);
    }

    public boolean tryPublishTick() {
        return ring.tryPublishEvent(TICK, null);
    }

    public long remainingCapacity() {
        return ring.remainingCapacity();
    }

    public int size() {
        return ring.getBufferSize();
    }

    public long handlerErrors() {
        return handlerErrors.get();
    }

    @Override
    public void close() {
        try {
            disruptor.shutdown(5, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            LOG.warn("ring did not drain within 5 s; halting");
            disruptor.halt();
        }
    }

    /** Counts and logs (at most once per 10 s) handler failures; the processor keeps running. */
    private final class CountingExceptionHandler implements ExceptionHandler<SwitchEvent> {
        private long lastLogNanos;

        @Override
        public void handleEventException(Throwable ex, long sequence, SwitchEvent event) {
            long n = handlerErrors.incrementAndGet();
            long now = System.nanoTime();
            if (n == 1 || now - lastLogNanos > 10_000_000_000L) {
                lastLogNanos = now;
                LOG.error("processor failed on a {} event ({} failures so far); carrying on", event.type, n, ex);
            }
            event.clear();
        }

        @Override
        public void handleOnStartException(Throwable ex) {
            LOG.error("processor failed to start", ex);
        }

        @Override
        public void handleOnShutdownException(Throwable ex) {
            LOG.error("processor failed to stop", ex);
        }
    }
}
