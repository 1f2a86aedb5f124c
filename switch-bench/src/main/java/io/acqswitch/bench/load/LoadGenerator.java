package io.acqswitch.bench.load;

import io.acqswitch.bench.load.TxnMix.Kind;
import io.acqswitch.iso.IsoCodec;
import io.acqswitch.sim.TerminalMessages;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.ToIntFunction;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.jpos.iso.ISOException;
import org.jpos.iso.ISOMsg;

/**
 * A non-blocking terminal simulator: {@code connections} terminals (each its own terminal id and
 * STAN sequence, 2-byte length framing, iso87) send on a fixed schedule, an open model: request
 * {@code i} is due at {@code start + i / rate} whether or not earlier ones were answered. A
 * request's latency runs from that due time to its answer, so a stall on the sending or the
 * answering side (and, one connection per transaction, the TCP connect) is charged to every request
 * it delayed (coordinated omission corrected).
 *
 * <p>Or a closed loop ({@link #runClosed}): each terminal keeps a fixed number of requests in
 * flight on its persistent connection and sends the next as soon as an answer arrives; the rate is
 * whatever the target holds, and a request's latency runs from when it was sent. A request that is
 * never answered (an error after {@link #TIMEOUT_NANOS}) is not replaced: its slot stays empty.
 *
 * <p>What is sent follows a {@link TxnMix}: new sales, exact re-sends of an earlier sale of the
 * same terminal (duplicates), voids and 0400 reversals of an earlier sale of that terminal that was
 * answered {@code 00} (each sale is voided or reversed at most once), and sales to
 * {@link #SILENT_PAN}, whose issuer never answers. When no earlier sale qualifies (at the start of
 * a run) a sale is sent instead; the report counts what was actually sent.
 *
 * <p>Connections are persistent (one per terminal, opened before the run) or, like GPRS terminals,
 * one per transaction: opened at the request's due time, closed once its answer is read.
 *
 * <p>Threads: {@link #run} schedules and sends on the calling thread; connects complete and answers
 * are read and recorded on the Netty event loops of {@code group}, where {@link #runClosed} also
 * sends. One instance may serve several runs in turn.
 */
final class LoadGenerator {
    static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** The card of every sale but the timeouts; the rig's issuers approve it without limit. */
    static final String PAN = "4761739001010010";
    /** The card of timeout sales: the rig's switch routes it to an issuer that never answers. */
    static final String SILENT_PAN = "5413330089010012";
    private static final long HIGHEST_MICROS = TimeUnit.SECONDS.toMicros(60);
    private static final long AMOUNT = 1000;
    /** The merchant (field 42) of every terminal: with its id, what a cluster partitions it by. */
    static final String MERCHANT = "LOADHARNESS0001";
    private static final int MAX_FRAME_BYTES = 4096;
    /** Copy {@code n} of a sale awaits its answer under {@code STAN + n * COPY_KEY} (STANs stay below it). */
    private static final int COPY_KEY = 1_000_000;
    private static final int MAX_COPIES = 3;
    /** Sales per terminal that duplicates, voids and reversals choose from. */
    private static final int RECENT_SALES = 64;
    /** The first STAN of a run's 0400s for unanswered sales (up to 999999). */
    private static final int REVERSAL_STANS = 900_000;

    /**
     * How the terminals behave in a run.
     *
     * @param connections   terminals, each with its own terminal id
     * @param mix           what they send
     * @param connectPerTxn a new connection per transaction instead of one persistent connection each
     */
    record Traffic(int connections, TxnMix mix, boolean connectPerTxn) {}

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

    /** As {@link #run(String, ToIntFunction, Traffic, int, int, int, ResourceMeter)}, metering this JVM (the soak's). */
    RunResult run(String target, ToIntFunction<String> portOf, Traffic traffic, int rate, int warmupSeconds, int seconds)
            throws InterruptedException {
        return run(target, portOf, traffic, rate, warmupSeconds, seconds, new ProcessResources());
    }

    /**
     * Connects (persistent mode), sends at {@code rate} for {@code warmupSeconds} then {@code seconds}
     * more, waits until every request is answered or has timed out, disconnects and returns the
     * figures. Every run uses terminal ids no earlier run used, so no request repeats an earlier one
     * unless the mix says so.
     *
     * @param portOf where the terminal with a given id connects (on 127.0.0.1)
     * @param meter the CPU and allocation of whatever serves {@code target}, over the measured window
     * @throws InterruptedException when interrupted while connecting or waiting
     */
    RunResult run(String target, ToIntFunction<String> portOf, Traffic traffic, int rate, int warmupSeconds, int seconds,
                  ResourceMeter meter) throws InterruptedException {
        Run run = new Run(++runs, traffic.mix(), observer, meter);
        List<Conn> conns = connect(run, portOf, traffic);
        try {
            ScheduledFuture<?> sweeper = group.next().scheduleAtFixedRate(() -> sweep(conns, run), 100, 100,
                    TimeUnit.MILLISECONDS);
            try {
                send(conns, run, rate, warmupSeconds, seconds);
                drain(conns, run);
            } finally {
                sweeper.cancel(false);
            }
        } finally {
            run.channels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        return run.result(target, rate, null, seconds);
    }

    /**
     * A closed loop: connects {@code shape.connections()} terminals, sends {@code shape.inFlight()}
     * requests on each at once and then one more for every answer, for {@code warmupSeconds} then
     * {@code seconds} more; then sends nothing new, waits until every request is answered or has
     * timed out, disconnects and returns the figures (achieved TPS: answers received in the window
     * per second, i.e. the throughput held). Sends run on each connection's event loop, which owns
     * its terminal's state from then on. Terminal ids and mix as {@link #run}.
     *
     * @throws IllegalArgumentException with {@code traffic.connectPerTxn()}: a closed loop keeps its connections
     * @throws InterruptedException when interrupted while connecting or waiting
     */
    RunResult runClosed(String target, ToIntFunction<String> portOf, Traffic traffic, LoadOptions.Shape shape, int warmupSeconds,
                        int seconds, ResourceMeter meter) throws InterruptedException {
        if (traffic.connectPerTxn()) {
            throw new IllegalArgumentException("a closed loop keeps its connections: not one per transaction");
        }
        Run run = new Run(++runs, traffic.mix(), observer, meter);
        List<Conn> conns = connect(run, portOf, new Traffic(shape.connections(), traffic.mix(), false));
        try {
            ScheduledFuture<?> sweeper = group.next().scheduleAtFixedRate(() -> sweep(conns, run), 100, 100,
                    TimeUnit.MILLISECONDS);
            try {
                long start = System.nanoTime();
                run.measureStart = start + TimeUnit.SECONDS.toNanos(warmupSeconds);
                run.measureEnd = run.measureStart + TimeUnit.SECONDS.toNanos(seconds);
                run.next = conn -> {
                    long now = System.nanoTime();
                    if (now < run.measureEnd) {
                        sendOne(conn, run, now, conn.random);
                    }
                };
                for (Conn conn : conns) {
                    conn.random = run.random.split(); // split here, on this thread: SplittableRandom is not thread-safe
                    conn.ch.eventLoop().execute(() -> {
                        for (int i = 0; i < shape.inFlight(); i++) {
                            run.next.accept(conn);
                        }
                    });
                }
                parkUntil(run.measureStart);
                run.resources.begin();
                parkUntil(run.measureEnd);
                run.resources.end();
                drain(conns, run);
            } finally {
                sweeper.cancel(false);
            }
        } finally {
            run.channels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        return run.result(target, 0, shape, seconds);
    }

    /** The run's terminals, connected unless one connection per transaction. */
    private List<Conn> connect(Run run, ToIntFunction<String> portOf, Traffic traffic) throws InterruptedException {
        List<Conn> conns = new ArrayList<>();
        for (int c = 0; c < traffic.connections(); c++) {
            String terminalId = String.format("L%03d%04d", run.id % 1000, c);
            Conn conn = new Conn(terminalId, portOf.applyAsInt(terminalId), traffic.connectPerTxn());
            conn.bootstrap = bootstrap(conn, run);
            if (!traffic.connectPerTxn()) {
                conn.ch = conn.bootstrap.connect("127.0.0.1", conn.port).sync().channel();
                run.channels.add(conn.ch);
            }
            conns.add(conn);
        }
        return conns;
    }

    private Bootstrap bootstrap(Conn conn, Run run) {
        return new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) TimeUnit.NANOSECONDS.toMillis(TIMEOUT_NANOS))
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                                .addLast("frameDecoder", new LengthFieldBasedFrameDecoder(MAX_FRAME_BYTES, 0, 2, 0, 2))
                                .addLast("frameEncoder", new LengthFieldPrepender(2))
                                .addLast("answerHandler", new AnswerHandler(conn, run, codec));
                    }
                });
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
            sendOne(conns.get((int) (i % conns.size())), run, due, run.random);
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

    /**
     * Sends one request of the mix on {@code conn}, due (open) or sent (closed) at {@code due}; on the
     * sender thread (open model) or the connection's event loop (closed loop), with that thread's
     * {@code random}.
     */
    private void sendOne(Conn conn, Run run, long due, SplittableRandom random) {
        Kind kind = run.mix.pick(random);
        Sale earlier = switch (kind) {
            case DUPLICATE -> conn.forDuplicate(random);
            case VOID, REVERSAL -> conn.forFollowUp(random);
            case SALE, TIMEOUT -> null;
        };
        if (earlier == null && (kind == Kind.DUPLICATE || kind == Kind.VOID || kind == Kind.REVERSAL)) {
            kind = Kind.SALE; // nothing to act on yet
        }
        if (due >= run.measureStart) {
            run.scheduled.increment();
            run.sent.get(kind).increment();
        }
        Pending pending;
        byte[] body;
        int key;
        if (kind == Kind.DUPLICATE) {
            body = earlier.body;
            key = earlier.stan + ++earlier.copies * COPY_KEY;
            pending = new Pending(kind, due, earlier);
        } else {
            key = conn.nextStan();
            ISOMsg m = message(kind, conn, key, earlier);
            body = pack(m);
            Sale sale = kind == Kind.SALE ? conn.remember(new Sale(key, m.getString(7), body)) : null;
            pending = new Pending(kind, due, sale);
        }
        if (!transmit(conn, run, key, pending, body)) {
            run.failed(1);
        }
    }

    /**
     * Sends {@code body} awaiting {@code pending} under {@code key}: on a new connection (GPRS) or on the
     * terminal's own; false when that one is down (nothing sent).
     */
    private static boolean transmit(Conn conn, Run run, int key, Pending pending, byte[] body) {
        if (conn.perTxn) {
            conn.outstanding.put(key, pending);
            sendOnNewConnection(conn, run, key, pending, body);
            return true;
        }
        if (!conn.ch.isActive()) {
            return false;
        }
        conn.outstanding.put(key, pending);
        conn.ch.writeAndFlush(Unpooled.wrappedBuffer(body), conn.ch.voidPromise());
        return true;
    }

    /** GPRS-style: connect now, send once connected; a failed connect is an error. */
    private static void sendOnNewConnection(Conn conn, Run run, int key, Pending pending, byte[] body) {
        conn.bootstrap.connect("127.0.0.1", conn.port).addListener((ChannelFuture f) -> {
            if (f.isSuccess()) {
                run.channels.add(f.channel());
                f.channel().writeAndFlush(Unpooled.wrappedBuffer(body), f.channel().voidPromise());
            } else if (conn.outstanding.remove(key, pending)) {
                run.failed(1);
            }
        });
    }

    /** The request of {@code kind} with STAN {@code stan}; {@code earlier} is the sale a void or reversal names. */
    private static ISOMsg message(Kind kind, Conn conn, int stan, Sale earlier) {
        String s = String.format("%06d", stan);
        return switch (kind) {
            case SALE -> TerminalMessages.sale(PAN, AMOUNT, s, conn.terminalId, MERCHANT);
            case TIMEOUT -> TerminalMessages.sale(SILENT_PAN, AMOUNT, s, conn.terminalId, MERCHANT);
            case VOID -> TerminalMessages.voidOf(PAN, AMOUNT, earlier.rrn, earlier.auth, s, conn.terminalId, MERCHANT);
            case REVERSAL -> {
                ISOMsg m = TerminalMessages.sale(PAN, AMOUNT, s, conn.terminalId, MERCHANT);
                m.set(0, "0400");
                // 90: original MTI, STAN, transmission time (7), acquirer and forwarding institution (none)
                m.set(90, "0200" + String.format("%06d", earlier.stan) + earlier.transmissionTime + "0".repeat(22));
                yield m;
            }
            case DUPLICATE -> throw new IllegalArgumentException("a duplicate re-sends the bytes of its sale");
        };
    }

    private byte[] pack(ISOMsg m) {
        try {
            return codec.pack(m);
        } catch (ISOException e) {
            throw new IllegalStateException("a request did not pack", e); // a bug in the harness
        }
    }

    /**
     * Waits until nothing is outstanding; the sweeper guarantees that within the timeout (twice: a
     * sale unanswered at the end of the window is then reversed, and its 0400 may wait as long).
     */
    private static void drain(List<Conn> conns, Run run) throws InterruptedException {
        long limit = run.measureEnd + 2 * TIMEOUT_NANOS + TimeUnit.SECONDS.toNanos(1);
        while (conns.stream().anyMatch(c -> !c.outstanding.isEmpty()) && System.nanoTime() < limit) {
            Thread.sleep(10);
        }
        for (Conn c : conns) {
            run.failed(c.outstanding.size()); // only if the sweeper itself stalled
            c.outstanding.clear();
        }
    }

    /**
     * Event loop: requests unanswered {@link #TIMEOUT_NANOS} after their due time are errors. A sale
     * among them is then reversed, as a real terminal does when it gets no answer: a 0400 naming it
     * (its own STAN from {@link Run#nextReversalStan}), sent once on the same connection when it is
     * still up (a new one per transaction for GPRS terminals), not part of the measured traffic.
     * Whatever the switch did with the sale, it must then stand nowhere ({@link LedgerCheck}).
     */
    private void sweep(List<Conn> conns, Run run) {
        long now = System.nanoTime();
        for (Conn c : conns) {
            for (Map.Entry<Integer, Pending> e : c.outstanding.entrySet()) {
                Pending p = e.getValue();
                if (now - p.due() > TIMEOUT_NANOS && c.outstanding.remove(e.getKey(), p)) {
                    run.failed(1);
                    if (p.kind() == Kind.SALE && p.sale() != null) {
                        reverseUnanswered(c, run, p.sale(), now);
                    }
                }
            }
        }
    }

    private void reverseUnanswered(Conn c, Run run, Sale sale, long now) {
        int stan = run.nextReversalStan();
        Pending reversal = new Pending(Kind.REVERSAL, now, sale);
        byte[] body = pack(message(Kind.REVERSAL, c, stan, sale));
        if (transmit(c, run, stan, reversal, body)) {
            run.unansweredReversed.increment();
        } else {
            run.unansweredUnreversed.increment(); // its terminal lost the connection: nothing sent
        }
    }

    /**
     * A request awaiting its answer.
     *
     * @param sale the sale it is (SALE) or re-sends (DUPLICATE), or the unanswered sale a REVERSAL
     *             reverses ({@link #sweep}); null for the other kinds
     */
    private record Pending(Kind kind, long due, Sale sale) {
        /** The terminal's own 0400 after a sale got no answer: outside the measured traffic. */
        boolean reversesUnanswered() {
            return kind == Kind.REVERSAL && sale != null;
        }
    }

    /**
     * A sale a later duplicate, void or reversal can act on. {@code rrn}, {@code auth} and then
     * {@code approved} are written once by the event loop that reads its answer; {@code copies} and
     * {@code followedUp} belong to the sender thread.
     */
    private static final class Sale {
        final int stan;
        final String transmissionTime;
        final byte[] body;
        volatile String rrn;
        volatile String auth;
        volatile boolean approved;
        int copies;
        boolean followedUp;

        Sale(int stan, String transmissionTime, byte[] body) {
            this.stan = stan;
            this.transmissionTime = transmissionTime;
            this.body = body;
        }
    }

    /**
     * One terminal: its id, the port it connects to, STAN counter and recent sales (the sender thread's, or in a closed loop
     * its event loop's) and what it awaits.
     */
    private static final class Conn {
        final String terminalId;
        final int port;
        final boolean perTxn;
        final Map<Integer, Pending> outstanding = new ConcurrentHashMap<>();
        final Sale[] recent = new Sale[RECENT_SALES];
        Bootstrap bootstrap;
        Channel ch;
        /** Closed loop only: this terminal's own random (its event loop's). */
        SplittableRandom random;
        private int sales;
        private int stan;

        Conn(String terminalId, int port, boolean perTxn) {
            this.terminalId = terminalId;
            this.port = port;
            this.perTxn = perTxn;
        }

        /** 1..999999, then 1 again. */
        int nextStan() {
            stan = stan % 999_999 + 1;
            return stan;
        }

        Sale remember(Sale s) {
            recent[sales++ % RECENT_SALES] = s;
            return s;
        }

        /** A recent sale, in flight or answered, re-sent fewer than {@link #MAX_COPIES} times; or null. */
        Sale forDuplicate(SplittableRandom random) {
            return find(random, false);
        }

        /** A recent sale answered 00 that no void or reversal named yet, now marked as named; or null. */
        Sale forFollowUp(SplittableRandom random) {
            Sale s = find(random, true);
            if (s != null) {
                s.followedUp = true;
            }
            return s;
        }

        private Sale find(SplittableRandom random, boolean approvedOnly) {
            int n = Math.min(sales, RECENT_SALES);
            int from = n == 0 ? 0 : random.nextInt(n);
            for (int i = 0; i < n; i++) {
                Sale s = recent[(from + i) % n];
                if (approvedOnly ? s.approved && !s.followedUp : s.copies < MAX_COPIES) {
                    return s;
                }
            }
            return null;
        }
    }

    /** The counters of one run; written by the sender thread and the event loops. */
    private static final class Run {
        final int id;
        final TxnMix mix;
        final SplittableRandom random;
        final ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
        final Histogram latencyMicros = new ConcurrentHistogram(HIGHEST_MICROS, 3);
        final Map<String, LongAdder> codes = new ConcurrentHashMap<>();
        final Map<Kind, Map<String, LongAdder>> byKind = new EnumMap<>(Kind.class);
        final Map<Kind, LongAdder> sent = new EnumMap<>(Kind.class);
        final LongAdder scheduled = new LongAdder();
        final LongAdder answeredInWindow = new LongAdder();
        final LongAdder errors = new LongAdder();
        final LongAdder unmatched = new LongAdder();
        final LongAdder unexpected = new LongAdder();
        final LongAdder approvedSales = new LongAdder();
        final LongAdder voided = new LongAdder();
        final LongAdder reversed = new LongAdder();
        final LongAdder timeouts = new LongAdder();
        /** Sales unanswered in time and reversed by a 0400 ({@link #sweep}); of those, not sent (connection down). */
        final LongAdder unansweredReversed = new LongAdder();
        final LongAdder unansweredUnreversed = new LongAdder();
        /** STANs of those 0400s: a range the terminals' own counters do not reach in a run. */
        private final AtomicInteger reversalStans = new AtomicInteger(REVERSAL_STANS);
        final ResourceMeter resources;
        final LoadObserver observer;
        volatile long measureStart = Long.MAX_VALUE;
        volatile long measureEnd = Long.MAX_VALUE;
        /** Closed loop: sends a terminal's next request (event loop, after each answer); null in the open model. */
        volatile Consumer<Conn> next;

        Run(int id, TxnMix mix, LoadObserver observer, ResourceMeter resources) {
            this.id = id;
            this.mix = mix;
            this.observer = observer;
            this.resources = resources;
            this.random = new SplittableRandom(id); // the same mix of kinds for the same options
            for (Kind k : Kind.values()) {
                byKind.put(k, new ConcurrentHashMap<>());
                sent.put(k, new LongAdder());
            }
        }

        int nextReversalStan() {
            return reversalStans.getAndIncrement();
        }

        void failed(long requests) {
            errors.add(requests);
            observer.failed(requests);
        }

        /** Event loop: the answer {@code answer} (field 39 {@code code}) to {@code p}. */
        void answered(Pending p, long now, String code, ISOMsg answer) {
            if (p.reversesUnanswered()) {
                return; // not measured traffic; the ledger check tells whether it worked
            }
            observer.answered(p.due(), now, code);
            boolean approved = "00".equals(code);
            switch (p.kind()) {
                case SALE -> {
                    if (approved) {
                        approvedSales.increment();
                        p.sale().rrn = answer.getString(37);
                        p.sale().auth = answer.getString(38);
                        p.sale().approved = true;
                    }
                }
                case VOID -> {
                    if (approved) {
                        voided.increment();
                    }
                }
                case REVERSAL -> {
                    if (approved) {
                        reversed.increment();
                    }
                }
                case TIMEOUT -> {
                    if ("68".equals(code)) {
                        timeouts.increment();
                    }
                }
                case DUPLICATE -> { } // replays an answer: nothing new at the issuer
            }
            if (now >= measureStart && now < measureEnd) {
                answeredInWindow.increment();
            }
            if (p.due() >= measureStart && p.due() < measureEnd) {
                if (p.kind() != Kind.TIMEOUT) {
                    latencyMicros.recordValue(Math.min(HIGHEST_MICROS, Math.max(0, (now - p.due()) / 1000)));
                }
                codes.computeIfAbsent(code, k -> new LongAdder()).increment();
                byKind.get(p.kind()).computeIfAbsent(code, k -> new LongAdder()).increment();
                if (!p.kind().expects(code)) {
                    unexpected.increment();
                }
            }
        }

        RunResult result(String target, int rate, LoadOptions.Shape shape, int seconds) {
            Map<Kind, Map<String, Long>> kinds = new EnumMap<>(Kind.class);
            byKind.forEach((kind, m) -> {
                if (sent.get(kind).sum() > 0 || !m.isEmpty()) {
                    Map<String, Long> c = new TreeMap<>();
                    m.forEach((code, n) -> c.put(code, n.sum()));
                    kinds.put(kind, c);
                }
            });
            Histogram h = latencyMicros;
            long transactions = answeredInWindow.sum();
            ResourceMeter.Usage usage = resources.usage();
            return new RunResult(target, rate, shape, seconds, scheduled.sum(), transactions / (double) seconds,
                    ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(90)), ms(h.getValueAtPercentile(99)),
                    ms(h.getValueAtPercentile(99.9)), ms(h.getMaxValue()), sum(codes), errors.sum(), unmatched.sum(),
                    kinds, unexpected.sum(),
                    new LedgerCheck.Expected(approvedSales.sum(), voided.sum(), reversed.sum(), timeouts.sum(),
                            unansweredReversed.sum(), unansweredUnreversed.sum()),
                    usage.cpuMicrosPer(transactions), usage.allocatedBytesPer(transactions));
        }

        private static Map<String, Long> sum(Map<String, LongAdder> counters) {
            Map<String, Long> out = new TreeMap<>();
            counters.forEach((k, v) -> out.put(k, v.sum()));
            return out;
        }

        private static double ms(long micros) {
            return micros / 1000.0;
        }
    }

    /**
     * Reads a connection's answers; not sharable (bound to its terminal's state). One connection per
     * transaction: closes the connection after its answer.
     */
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
            if (conn.perTxn) {
                ctx.close();
            }
            ISOMsg answer = codec.newMessage(null);
            Pending p = null;
            try {
                codec.unpack(ByteBufUtil.getBytes(frame), answer);
                int stan = Integer.parseInt(answer.getString(11));
                for (int copy = 0; copy <= MAX_COPIES && p == null; copy++) {
                    p = conn.outstanding.remove(stan + copy * COPY_KEY); // the original first, then its copies
                }
            } catch (ISOException | RuntimeException e) {
                run.unmatched.increment(); // not unpackable or no STAN: cannot be tied to a request
                return;
            }
            if (p == null) {
                run.unmatched.increment();
                return;
            }
            String code = answer.getString(39);
            run.answered(p, now, code != null ? code : "none", answer);
            Consumer<Conn> next = run.next;
            if (next != null) {
                next.accept(conn); // closed loop: this answer's slot takes the next request
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // its outstanding requests time out and are counted by the sweeper
        }
    }
}
