package io.acqswitch.bench.load;

import io.acqswitch.iso.IsoCodec;
import io.acqswitch.sim.TerminalMessages;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.jpos.iso.ISOException;
import org.jpos.iso.ISOMsg;

/**
 * A non-blocking terminal simulator: opens {@code connections} persistent TCP connections (each its
 * own terminal id, 2-byte length framing, iso87) and sends 0200 sales on a fixed schedule, an open
 * model: request {@code i} is due at {@code start + i / rate} whether or not earlier ones were
 * answered. A request's latency runs from that due time to its answer, so a stall on the sending or
 * the answering side is charged to every request it delayed (coordinated omission corrected).
 *
 * <p>Threads: {@link #run} schedules and sends on the calling thread; answers are read and
 * recorded on the Netty event loops of {@code group}. One instance may serve several runs in turn.
 */
final class LoadGenerator {
    static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final long HIGHEST_MICROS = TimeUnit.SECONDS.toMicros(60);
    private static final String PAN = "4761739001010010";
    private static final long AMOUNT = 1000;
    private static final String MERCHANT = "LOADHARNESS0001";
    private static final int MAX_FRAME_BYTES = 4096;

    private final EventLoopGroup group;
    private final IsoCodec codec;
    private final LoadObserver observer;
    private int runs;

    LoadGenerator(EventLoopGroup group, IsoCodec codec) {
        this(group, codec, LoadObserver.NONE);
    }

    /** @param observer told of every answer and error of every run as they happen (the soak's sampler) */
    LoadGenerator(EventLoopGroup group, IsoCodec codec, LoadObserver observer) {
        this.group = group;
        this.codec = codec;
        this.observer = observer;
    }

    /**
     * Connects, sends at {@code rate} for {@code warmupSeconds} then {@code seconds} more, waits
     * until every request is answered or has timed out, disconnects and returns the figures.
     * Every run uses terminal ids no earlier run used, so no request repeats an earlier one.
     *
     * @throws InterruptedException when interrupted while connecting or waiting
     */
    RunResult run(String target, int port, int connections, int rate, int warmupSeconds, int seconds)
            throws InterruptedException {
        Run run = new Run(++runs, observer);
        List<Conn> conns = new ArrayList<>();
        try {
            for (int c = 0; c < connections; c++) {
                conns.add(connect(port, run, String.format("L%03d%04d", run.id % 1000, c)));
            }
            ScheduledFuture<?> sweeper = group.next().scheduleAtFixedRate(() -> sweep(conns, run), 100, 100,
                    TimeUnit.MILLISECONDS);
            try {
                send(conns, run, rate, warmupSeconds, seconds);
                drain(conns, run);
            } finally {
                sweeper.cancel(false);
            }
        } finally {
            for (Conn c : conns) {
                c.ch.close().syncUninterruptibly();
            }
        }
        return run.result(target, rate, seconds);
    }

    private Conn connect(int port, Run run, String terminalId) throws InterruptedException {
        Conn conn = new Conn(terminalId);
        Bootstrap b = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                                .addLast("frameDecoder", new LengthFieldBasedFrameDecoder(MAX_FRAME_BYTES, 0, 2, 0, 2))
                                .addLast("frameEncoder", new LengthFieldPrepender(2))
                                .addLast("answerHandler", new AnswerHandler(conn, run, codec));
                    }
                });
        conn.ch = b.connect("127.0.0.1", port).sync().channel();
        return conn;
    }

    /** The open-model schedule: due times are absolute, so a late wake-up sends the backlog at once. */
    private void send(List<Conn> conns, Run run, int rate, int warmupSeconds, int seconds) {
        double interval = 1e9 / rate;
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
        run.measureStart = start + TimeUnit.SECONDS.toNanos(warmupSeconds);
        run.measureEnd = run.measureStart + TimeUnit.SECONDS.toNanos(seconds);
        boolean sampled = false;
        for (long i = 0; ; i++) {
            long due = start + (long) (i * interval);
            if (due >= run.measureEnd) {
                break;
            }
            parkUntil(due);
            if (!sampled && due >= run.measureStart) {
                sampled = true;
                run.resources.begin();
            }
            sendOne(conns.get((int) (i % conns.size())), run, due);
        }
        parkUntil(run.measureEnd);
        if (!sampled) {
            run.resources.begin();
        }
        run.resources.end();
    }

    private static void parkUntil(long deadline) {
        long now;
        while ((now = System.nanoTime()) < deadline) {
            LockSupport.parkNanos(deadline - now);
        }
    }

    private void sendOne(Conn conn, Run run, long due) {
        if (due >= run.measureStart) {
            run.scheduled.increment();
        }
        int stan = conn.nextStan();
        byte[] body;
        try {
            body = codec.pack(TerminalMessages.sale(PAN, AMOUNT, String.format("%06d", stan), conn.terminalId, MERCHANT));
        } catch (ISOException e) {
            throw new IllegalStateException("a sale did not pack", e); // a bug in the harness
        }
        if (!conn.ch.isActive()) {
            run.failed(1);
            return;
        }
        conn.outstanding.put(stan, due);
        conn.ch.writeAndFlush(Unpooled.wrappedBuffer(body), conn.ch.voidPromise());
    }

    /** Waits until nothing is outstanding; the sweeper guarantees that within the timeout. */
    private static void drain(List<Conn> conns, Run run) throws InterruptedException {
        long limit = run.measureEnd + TIMEOUT_NANOS + TimeUnit.SECONDS.toNanos(1);
        while (conns.stream().anyMatch(c -> !c.outstanding.isEmpty()) && System.nanoTime() < limit) {
            Thread.sleep(10);
        }
        for (Conn c : conns) {
            run.failed(c.outstanding.size()); // only if the sweeper itself stalled
            c.outstanding.clear();
        }
    }

    /** Event loop: requests unanswered {@link #TIMEOUT_NANOS} after their due time are errors. */
    private static void sweep(List<Conn> conns, Run run) {
        long now = System.nanoTime();
        for (Conn c : conns) {
            for (Map.Entry<Integer, Long> e : c.outstanding.entrySet()) {
                if (now - e.getValue() > TIMEOUT_NANOS && c.outstanding.remove(e.getKey(), e.getValue())) {
                    run.failed(1);
                }
            }
        }
    }

    /** One connection: its terminal id, its STAN counter (sender thread) and what it awaits. */
    private static final class Conn {
        final String terminalId;
        final Map<Integer, Long> outstanding = new ConcurrentHashMap<>();
        Channel ch;
        private int stan;

        Conn(String terminalId) {
            this.terminalId = terminalId;
        }

        /** 1..999999, then 1 again. */
        int nextStan() {
            stan = stan % 999_999 + 1;
            return stan;
        }
    }

    /** The counters of one run; written by the sender thread and the event loops. */
    private static final class Run {
        final int id;
        final Histogram latencyMicros = new ConcurrentHistogram(HIGHEST_MICROS, 3);
        final Map<String, LongAdder> codes = new ConcurrentHashMap<>();
        final LongAdder scheduled = new LongAdder();
        final LongAdder answeredInWindow = new LongAdder();
        final LongAdder errors = new LongAdder();
        final LongAdder unmatched = new LongAdder();
        final LongAdder approvalsTotal = new LongAdder();
        final ProcessResources resources = new ProcessResources();
        final LoadObserver observer;
        volatile long measureStart = Long.MAX_VALUE;
        volatile long measureEnd = Long.MAX_VALUE;

        Run(int id, LoadObserver observer) {
            this.id = id;
            this.observer = observer;
        }

        void failed(long requests) {
            errors.add(requests);
            observer.failed(requests);
        }

        /** Event loop: one answer to a request that was due at {@code due}. */
        void answered(long due, long now, String code) {
            observer.answered(due, now, code);
            if ("00".equals(code)) {
                approvalsTotal.increment();
            }
            if (now >= measureStart && now < measureEnd) {
                answeredInWindow.increment();
            }
            if (due >= measureStart && due < measureEnd) {
                latencyMicros.recordValue(Math.min(HIGHEST_MICROS, Math.max(0, (now - due) / 1000)));
                codes.computeIfAbsent(code, k -> new LongAdder()).increment();
            }
        }

        RunResult result(String target, int rate, int seconds) {
            Map<String, Long> byCode = new TreeMap<>();
            codes.forEach((k, v) -> byCode.put(k, v.sum()));
            Histogram h = latencyMicros;
            long transactions = answeredInWindow.sum();
            return new RunResult(target, rate, seconds, scheduled.sum(), transactions / (double) seconds,
                    ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(90)), ms(h.getValueAtPercentile(99)),
                    ms(h.getValueAtPercentile(99.9)), ms(h.getMaxValue()), byCode, errors.sum(), unmatched.sum(),
                    approvalsTotal.sum(), resources.cpuMicrosPer(transactions), resources.allocatedBytesPer(transactions));
        }

        private static double ms(long micros) {
            return micros / 1000.0;
        }
    }

    /** Reads one connection's answers; not sharable (bound to its connection's state). */
    private static final class AnswerHandler extends SimpleChannelInboundHandler<ByteBuf> {
        private final Conn conn;
        private final Run run;
        private final IsoCodec codec;

        AnswerHandler(Conn conn, Run run, IsoCodec codec) {
            super(ByteBuf.class);
            this.conn = conn;
            this.run = run;
            this.codec = codec;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
            long now = System.nanoTime();
            ISOMsg answer = codec.newMessage(null);
            Long due;
            try {
                codec.unpack(ByteBufUtil.getBytes(frame), answer);
                due = conn.outstanding.remove(Integer.parseInt(answer.getString(11)));
            } catch (ISOException | RuntimeException e) {
                run.unmatched.increment(); // not unpackable or no STAN: cannot be tied to a request
                return;
            }
            if (due == null) {
                run.unmatched.increment();
                return;
            }
            String code = answer.getString(39);
            run.answered(due, now, code != null ? code : "none");
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // its outstanding requests time out and are counted by the sweeper
        }
    }
}
