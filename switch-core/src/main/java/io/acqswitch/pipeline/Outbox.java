package io.acqswitch.pipeline;

import io.acqswitch.metrics.ThrottledLog;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Answers on their way from the processor to terminals. The processor thread only queues them
 * ({@link #write}); at the end of each ring batch ({@link #flush}) every event loop that serves
 * one of the channels gets one task, which writes that loop's answers and flushes each channel
 * once (STYLE 13: a channel is written from its own event loop, a batch ends in one flush). So a
 * busy ring costs one wake-up per event loop per batch instead of one per answer.
 *
 * <p>Answers queued with an RRN are approvals whose delivery matters: the task reports their write
 * outcomes back through the ring as one {@link EventType#DELIVERIES} event per task (not one event
 * per answer); a write still pending after the flush (a full socket buffer) reports on its own when
 * it completes.
 *
 * <p>An answer may be queued as a {@link Deferred}: what it needs, not the answer itself. The task
 * makes it (jPOS clone, set, pack) on the event loop just before writing it, so the ring thread
 * does no jPOS work for it. One that cannot be made is not written and counts as a failed write.
 *
 * <p>{@link #write} and {@link #flush}: processor thread only. The tasks run on the event loops.
 */
public final class Outbox {
    private static final ThrottledLog UNMADE = new ThrottledLog(LoggerFactory.getLogger(Outbox.class), Level.WARN, 10_000);

    /** Where write outcomes go (the ring); called on event-loop threads. */
    @FunctionalInterface
    public interface Reports {
        void deliveries(Deliveries outcomes);
    }

    /**
     * An answer the event loop makes when it writes it, from what the processor decided (the
     * terminal's request, the response code, ...). It must hold only values the processor no
     * longer changes: it is read on the event loop.
     */
    @FunctionalInterface
    public interface Deferred {
        /**
         * Event loop: the message to write (packed {@code byte[]} or an {@code ISOMsg}).
         *
         * @throws RuntimeException when it cannot be made (then nothing is written)
         */
        Object message();
    }

    private record Answer(Channel channel, Object message, String rrn) {}

    private final Reports reports;
    private final Map<EventLoop, List<Answer>> pending = new IdentityHashMap<>();
    private int queued;

    public Outbox(Reports reports) {
        this.reports = reports;
    }

    /**
     * Queues {@code message} (packed {@code byte[]}, an {@code ISOMsg}, or a {@link Deferred} that
     * makes either on the event loop) for {@code terminal}.
     *
     * @param rrn the approval whose delivery is to be reported, or null when none is
     */
    public void write(ReplyAddress terminal, Object message, String rrn) {
        write(terminal.channel(), terminal.envelope(message), rrn);
    }

    /** Queues {@code message} for an issuer link's {@code channel} (or any other). */
    public void write(Channel channel, Object message, String rrn) {
        pending.computeIfAbsent(channel.eventLoop(), k -> new ArrayList<>()).add(new Answer(channel, message, rrn));
        queued++;
    }

    /** Answers queued since the last {@link #flush}. */
    public int queued() {
        return queued;
    }

    /** Hands every queued answer to its channel's event loop: one task per loop. */
    public void flush() {
        if (queued == 0) {
            return;
        }
        for (Map.Entry<EventLoop, List<Answer>> e : pending.entrySet()) {
            List<Answer> answers = e.getValue();
            if (e.getKey().inEventLoop()) { // an EmbeddedChannel's loop (tests, benchmarks)
                send(answers);
            } else {
                e.getKey().execute(() -> send(answers));
            }
        }
        pending.clear();
        queued = 0;
    }

    /**
     * Event loop: the message to write, a {@link Deferred} made here (also by a link to another
     * node, for an answer {@link ReplyAddress#envelope} addressed to a terminal there).
     */
    public static Object made(Object message) {
        if (!(message instanceof Deferred d)) {
            return message;
        }
        Object m = d.message();
        if (m == null) {
            throw new IllegalStateException("no answer to a request that cannot be answered");
        }
        return m;
    }

    /** Event loop: writes the answers, then flushes each channel once, and reports what was delivered. */
    private void send(List<Answer> answers) {
        List<ChannelPromise> tracked = null;
        List<String> rrns = null;
        for (Answer a : answers) {
            Channel ch = a.channel();
            Object message = null;
            Throwable unmade = null;
            try {
                message = made(a.message());
            } catch (RuntimeException e) { // a bug: the other answers of the batch still go
                UNMADE.log("unmade", "an answer could not be made, not written: {}", e.toString());
                unmade = e;
            }
            if (a.rrn() == null) {
                if (unmade == null) {
                    ch.write(message, ch.voidPromise());
                }
            } else {
                ChannelPromise p = ch.newPromise();
                if (unmade == null) {
                    ch.write(message, p);
                } else {
                    p.setFailure(unmade); // reported undelivered: the approval is reversed
                }
                if (tracked == null) {
                    tracked = new ArrayList<>();
                    rrns = new ArrayList<>();
                }
                tracked.add(p);
                rrns.add(a.rrn());
            }
        }
        Channel last = null;
        for (Answer a : answers) { // answers of one channel are mostly adjacent: flush on each change, then dedupe
            if (a.channel() != last) {
                last = a.channel();
                last.flush(); // a second flush of a channel with nothing new written is a cheap no-op
            }
        }
        if (tracked == null) {
            return;
        }
        Deliveries done = new Deliveries(tracked.size());
        for (int i = 0; i < tracked.size(); i++) {
            ChannelPromise p = tracked.get(i);
            String rrn = rrns.get(i);
            if (p.isDone()) {
                done.add(rrn, p.isSuccess());
            } else {
                p.addListener((ChannelFutureListener) (ChannelFuture f) -> {
                    Deliveries one = new Deliveries(1);
                    one.add(rrn, f.isSuccess());
                    reports.deliveries(one);
                });
            }
        }
        if (done.size() > 0) {
            reports.deliveries(done);
        }
    }
}
