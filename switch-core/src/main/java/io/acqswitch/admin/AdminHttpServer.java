package io.acqswitch.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import io.acqswitch.config.SwitchConfig;
import io.acqswitch.iso.LogText;
import io.acqswitch.net.TlsContexts;
import io.acqswitch.net.TlsGate;
import io.acqswitch.metrics.ThrottledLog;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The admin port's HTTP server: {@code /metrics}, {@code /health}, the operations API, route
 * reloads and the demo stubs. Routes are added with {@link #route} (or {@link #probe}) and return a
 * {@link Reply}; they see each request as a JDK {@link HttpExchange}, read whole before they run.
 *
 * <p>Why Netty and not the JDK's {@code HttpServer}: the JDK server reads a request's headers on its
 * executor's threads, blocking, so two connections that never finish their headers held both
 * threads and {@code /health} went unanswered (75 s and counting in a hostile test; its
 * {@code sun.net.httpserver.maxReqTime} property only frees a thread after that time, cannot count
 * what it closed, and is one setting for the whole JVM). Here one event-loop thread reads every
 * connection without blocking, and a route runs on a thread of its own only once its request is
 * complete. The contract:
 * <ul>
 *   <li>A request not wholly received (headers and body) within {@code http.headerTimeout} of its
 *       first byte, or of the connection opening, is answered 408 and its connection closed
 *       ({@code header_timeout}). An open connection between requests is closed quietly after
 *       {@link #KEEP_ALIVE}.</li>
 *   <li>At most {@code http.maxConcurrentRequests} requests are handled at once; one more is
 *       answered 503 at once ({@code busy}). Probes ({@link #probe}: {@code /health},
 *       {@code /metrics}) have as many slots again of their own, so slow operations queries never
 *       crowd out monitoring.</li>
 *   <li>With {@code http.token} set, every request that can change something (any method but GET and
 *       HEAD) needs {@code Authorization: Bearer <token>}: 401 otherwise ({@code unauthorized}),
 *       before any route runs. Routes may ask more (the operations API wants it for GETs too). A mount
 *       made with {@link #session} checks its own credentials instead (the console: a session cookie
 *       and a CSRF token), so a browser's form posts reach it.</li>
 *   <li>Malformed input (a request line or headers that do not parse, a bad URI, a route throwing
 *       {@link IllegalArgumentException}) is a 400 with one log line and no stack trace
 *       ({@code bad_request}); a body over 1 MiB is a 413 ({@code too_large}).</li>
 * </ul>
 * Every refusal is counted in {@code switch_http_rejected_total{reason}} (including 400, 401 and
 * 413 answers of the routes themselves) and logged at most once per reason per 10 s, with the
 * request's path escaped. Binding happens in the constructor (so a port in use fails there);
 * connections are accepted from {@link #start()} on.
 */
public final class AdminHttpServer implements AutoCloseable {
    /** An idle keep-alive connection (no request under way) is closed after this; not a refusal. */
    public static final Duration KEEP_ALIVE = Duration.ofSeconds(60);
    /** Largest request body accepted (the stub's rules are the largest body, at most 1 MiB). */
    static final int MAX_BODY_BYTES = 1 << 20;
    private static final int MAX_REQUEST_LINE = 4096;
    private static final int MAX_HEADER_BYTES = 8192;
    /** Requests a client may send ahead on one connection before the first is answered. */
    private static final int MAX_PIPELINED = 8;
    private static final Logger LOG = LoggerFactory.getLogger(AdminHttpServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** An HTTP answer. */
    public record Reply(int status, String contentType, String body) {
        public static Reply json(int status, String body) {
            return new Reply(status, "application/json", body);
        }

        public static Reply text(int status, String body) {
            return new Reply(status, "text/plain; charset=utf-8", body);
        }
    }

    /** Handles one request; {@code exchange} gives method, path, query, headers and body. */
    @FunctionalInterface
    public interface Route {
        Reply handle(HttpExchange exchange) throws IOException;
    }

    /** Why a request was refused: the {@code reason} tag of {@code switch_http_rejected_total}. */
    enum Refusal {
        HEADER_TIMEOUT, BUSY, UNAUTHORIZED, BAD_REQUEST, TOO_LARGE,
        /** With {@code http.tls}: a client that does not speak TLS, one too slow to, or one whose handshake fails. */
        NOT_TLS, TLS_HANDSHAKE_TIMEOUT, TLS_HANDSHAKE_FAILED;

        String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Requests of one kind handled at once, bounded by its permits. */
    private record Lane(String name, Semaphore slots) {}

    /** {@code ownAuth}: the route checks every request's credentials itself (no bearer header required). */
    private record Mount(String prefix, Route route, Lane lane, boolean ownAuth) {
        boolean matches(String path) {
            return path.equals(prefix) || (prefix.endsWith("/") ? path.startsWith(prefix) : path.startsWith(prefix + "/"));
        }
    }

    /** Per server, not per class: each server logs the first refusal of each reason it sees. */
    private final ThrottledLog refusals = new ThrottledLog(LOG, Level.WARN, 10_000);
    private final ThrottledLog failures = new ThrottledLog(LOG, Level.ERROR, 10_000);
    private final byte[] token;
    private final long headerTimeoutNanos;
    private final int maxConcurrent;
    private final Lane operations;
    private final Lane probes;
    private final List<Mount> mounts = new CopyOnWriteArrayList<>();
    private final Map<Refusal, Counter> refused = new EnumMap<>(Refusal.class);
    private final EventLoopGroup group;
    private final ExecutorService handlers;
    private final Channel serverChannel;

    /** Defaults for everything but the address (no token), counting into a registry of its own (the stand-alone stub). */
    public AdminHttpServer(String bind, int port) throws IOException {
        this(new SwitchConfig.Http(bind, port, null, null, null, null), new SimpleMeterRegistry());
    }

    /**
     * Binds {@code http.bind:http.port}; connections wait in the backlog until {@link #start()}.
     *
     * @throws IOException when it cannot listen (a {@link java.net.BindException} when the port is in use)
     */
    public AdminHttpServer(SwitchConfig.Http http, MeterRegistry registry) throws IOException {
        this(plain(http), registry, null);
    }

    /** @throws IllegalArgumentException when {@code http} has {@code tls}: serving it in clear would be a silent downgrade */
    private static SwitchConfig.Http plain(SwitchConfig.Http http) {
        if (http.tls() != null) {
            throw new IllegalArgumentException("http has tls: pass its context (TlsContexts.server) rather than serve it in clear");
        }
        return http;
    }

    /**
     * As {@link #AdminHttpServer(SwitchConfig.Http, MeterRegistry)}, serving HTTPS (TLS 1.3) with
     * {@code tls} when it is not null; a handshake must finish within {@code http.headerTimeout}, and a
     * failed one is counted ({@code not_tls}, {@code tls_handshake_timeout}, {@code tls_handshake_failed}).
     *
     * @throws IOException when it cannot listen (a {@link java.net.BindException} when the port is in use)
     */
    public AdminHttpServer(SwitchConfig.Http http, MeterRegistry registry, SslContext tls) throws IOException {
        this.token = http.token() == null || http.token().isBlank() ? null : http.token().getBytes(StandardCharsets.UTF_8);
        this.headerTimeoutNanos = http.headerTimeout().toNanos();
        this.maxConcurrent = http.maxConcurrentRequests();
        this.operations = new Lane("operations", new Semaphore(maxConcurrent));
        this.probes = new Lane("probes", new Semaphore(maxConcurrent));
        for (Refusal r : Refusal.values()) {
            refused.put(r, Counter.builder("switch_http_rejected")
                    .description("Admin HTTP requests refused, by reason").tag("reason", r.tag()).register(registry));
        }
        TlsGate tlsGate = new TlsGate((failure, ctx, detail) -> {
            Refusal r = Refusal.valueOf(failure.name());
            refused.get(r).increment();
            refusals.log(r.tag(), "admin http refused ({}) from {}: {}", r.tag(), ctx.channel().remoteAddress(),
                    LogText.escape(detail, 300));
        });
        this.group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("admin-http-io", true),
                NioIoHandler.newFactory());
        // virtual threads: a route may wait on the journal's database; the lanes' permits bound how many run
        this.handlers = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("admin-http-", 0).factory());
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 64)
                .option(ChannelOption.AUTO_READ, false) // accept from start(), once the routes are mounted
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        Connection c = new Connection(ch);
                        if (tls != null) {
                            ch.pipeline()
                                    .addLast("tls", TlsContexts.serverHandler(tls, ch, http.headerTimeout()))
                                    .addLast("tlsGate", tlsGate);
                        }
                        ch.pipeline()
                                .addLast("firstBytes", c.firstBytes)
                                .addLast("codec", new HttpServerCodec(MAX_REQUEST_LINE, MAX_HEADER_BYTES, 8192))
                                .addLast("aggregator", new CountingAggregator())
                                .addLast("dispatch", c.dispatch);
                    }
                });
        ChannelFuture bound = bootstrap.bind(http.bind(), http.port()).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            bound.channel().close();
            shutDown();
            throw bound.cause() instanceof IOException e ? e : new IOException(String.valueOf(bound.cause()), bound.cause());
        }
        serverChannel = bound.channel();
    }

    /** Serves {@code path} (and everything below it) with {@code route}, within {@code http.maxConcurrentRequests}. */
    public AdminHttpServer route(String path, Route route) {
        mounts.add(new Mount(path, route, operations, false));
        return this;
    }

    /**
     * As {@link #route}, for routes that authenticate every request themselves, whatever its
     * method: state-changing requests reach them without {@code Authorization: Bearer}. For a
     * browser's pages, whose forms cannot send that header; the route must refuse what it did not
     * authenticate (and answer 401 for a bad credential, which is counted as a refusal).
     */
    public AdminHttpServer session(String path, Route route) {
        mounts.add(new Mount(path, route, operations, true));
        return this;
    }

    /**
     * As {@link #route}, for a cheap read-only probe ({@code /health}, {@code /metrics}): it has
     * {@code http.maxConcurrentRequests} slots of its own, so busy operations never make monitoring
     * see 503s.
     */
    public AdminHttpServer probe(String path, Route route) {
        mounts.add(new Mount(path, route, probes, false));
        return this;
    }

    /** Starts accepting connections. */
    public AdminHttpServer start() {
        serverChannel.config().setAutoRead(true);
        return this;
    }

    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    /** Requests refused so far for {@code reason} (tests). */
    double refusedCount(Refusal reason) {
        return refused.get(reason).count();
    }

    @Override
    public void close() {
        serverChannel.close().syncUninterruptibly();
        shutDown();
    }

    private void shutDown() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        handlers.shutdownNow();
    }

    /** The longest mounted prefix matching {@code path}, or null. */
    private Mount mount(String path) {
        Mount best = null;
        for (Mount m : mounts) {
            if (m.matches(path) && (best == null || m.prefix.length() > best.prefix.length())) {
                best = m;
            }
        }
        return best;
    }

    private boolean authorized(String header) {
        if (token == null) {
            return true;
        }
        if (header == null || !header.startsWith("Bearer ")) {
            return false;
        }
        return MessageDigest.isEqual(token, header.substring(7).strip().getBytes(StandardCharsets.UTF_8));
    }

    private static String errorJson(String message) {
        try {
            return JSON.writeValueAsString(Map.of("error", message));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Aggregates a request's body up to {@link #MAX_BODY_BYTES}; a larger one (announced or sent) is
     * counted and answered 413, and its connection closed rather than left to discard the rest.
     */
    private final class CountingAggregator extends HttpObjectAggregator {
        CountingAggregator() {
            super(MAX_BODY_BYTES, true); // true: close after refusing an "Expect: 100-continue" too
        }

        @Override
        protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
            Object answer = super.newContinueResponse(start, maxContentLength, pipeline);
            if (answer instanceof HttpResponse r && r.status().code() == HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE.code()) {
                tooLarge(pipeline.channel());
            }
            return answer;
        }

        @Override
        protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
            tooLarge(ctx.channel());
            FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                    Unpooled.wrappedBuffer(errorJson("body over " + MAX_BODY_BYTES + " bytes").getBytes(StandardCharsets.UTF_8)));
            resp.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json")
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, resp.content().readableBytes())
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(resp).addListener(ChannelFutureListener.CLOSE);
        }

        private void tooLarge(Channel ch) {
            refused.get(Refusal.TOO_LARGE).increment();
            refusals.log(Refusal.TOO_LARGE.tag(), "admin http refused ({}) from {}: body over {} bytes",
                    Refusal.TOO_LARGE.tag(), ch.remoteAddress(), MAX_BODY_BYTES);
        }
    }

    /** A request read whole, copied out of Netty's buffers (which are released before the route runs). */
    private record Incoming(String method, String rawUri, String protocol, boolean keepAlive, Headers headers,
                            byte[] body, Throwable malformed) {
        static Incoming of(FullHttpRequest req) {
            Headers headers = new Headers();
            for (Map.Entry<String, String> h : req.headers()) {
                headers.add(h.getKey(), h.getValue());
            }
            Throwable malformed = req.decoderResult().isFailure() ? req.decoderResult().cause() : null;
            return new Incoming(req.method().name(), req.uri(), req.protocolVersion().text(),
                    malformed == null && HttpUtil.isKeepAlive(req), headers, ByteBufUtil.getBytes(req.content()), malformed);
        }

        boolean changesState() {
            return !method.equals("GET") && !method.equals("HEAD");
        }

        /** The path for a log line: escaped and cut, whatever the client sent. */
        String loggedPath() {
            int q = rawUri.indexOf('?');
            return LogText.escape(q < 0 ? rawUri : rawUri.substring(0, q), 200);
        }
    }

    /**
     * One connection's state, on its event-loop thread only: where it is in its current request, the
     * one timer that bounds that, and requests pipelined behind the one being handled.
     */
    private final class Connection {
        private enum Phase {
            /** No byte of the next request yet. */
            WAITING,
            /** Part of a request read; the rest must come within the header timeout. */
            READING,
            /** A whole request is with a route (or being refused); reading is paused. */
            HANDLING
        }

        private final Channel ch;
        private final ArrayDeque<Incoming> pipelined = new ArrayDeque<>();
        private Phase phase = Phase.WAITING;
        private boolean answeredBefore;
        private boolean bytesWhileHandling;
        private ScheduledFuture<?> timer;
        final ChannelInboundHandlerAdapter firstBytes = new ChannelInboundHandlerAdapter() {
            @Override
            public void channelActive(ChannelHandlerContext ctx) throws Exception {
                arm(headerTimeoutNanos); // the first request's clock starts when the connection opens
                super.channelActive(ctx);
            }

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
                if (msg instanceof ByteBuf buf && buf.isReadable()) {
                    bytesArrived();
                }
                super.channelRead(ctx, msg);
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) throws Exception {
                cancel();
                super.channelInactive(ctx);
            }
        };
        final SimpleChannelInboundHandler<FullHttpRequest> dispatch = new SimpleChannelInboundHandler<>() {
            @Override
            protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
                received(Incoming.of(req));
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                if (!(cause instanceof IOException)) { // a reset by the peer is not worth a line
                    failures.log("connection", "admin http connection {} failed; closing it: {}", ch.remoteAddress(),
                            LogText.escape(String.valueOf(cause), 300));
                }
                ctx.close();
            }
        };

        Connection(Channel ch) {
            this.ch = ch;
        }

        private void bytesArrived() {
            if (phase == Phase.WAITING) {
                phase = Phase.READING;
                if (answeredBefore) {
                    arm(headerTimeoutNanos); // a later request's clock starts at its first byte
                }
            } else if (phase == Phase.HANDLING) {
                bytesWhileHandling = true;
            }
        }

        private void received(Incoming in) {
            if (phase == Phase.HANDLING) {
                if (pipelined.size() >= MAX_PIPELINED) {
                    refuse(Refusal.BAD_REQUEST, in, "more than " + MAX_PIPELINED + " requests sent ahead of their answers");
                    ch.close();
                    return;
                }
                pipelined.add(in);
                bytesWhileHandling = false; // they were (most likely) this request's
                return;
            }
            cancel();
            phase = Phase.HANDLING;
            bytesWhileHandling = false;
            ch.config().setAutoRead(false); // one request at a time: the next waits in the socket
            handle(in);
        }

        /** Refuses {@code in} or hands it to its route; every path ends in {@link #respond}. */
        private void handle(Incoming in) {
            if (in.malformed() != null) {
                refuse(Refusal.BAD_REQUEST, in, "malformed request: " + in.malformed().getMessage());
                return;
            }
            URI uri;
            try {
                uri = new URI(in.rawUri()).normalize();
            } catch (URISyntaxException e) {
                refuse(Refusal.BAD_REQUEST, in, "malformed URI: " + e.getMessage());
                return;
            }
            String path = uri.getPath();
            if (path == null || !path.startsWith("/")) {
                refuse(Refusal.BAD_REQUEST, in, "the request target is not a path");
                return;
            }
            Mount m = mount(path);
            if (in.changesState() && (m == null || !m.ownAuth()) && !authorized(in.headers().getFirst("Authorization"))) {
                refuse(Refusal.UNAUTHORIZED, in, "missing or wrong bearer token");
                return;
            }
            if (m == null) {
                respond(in, Reply.json(404, errorJson("not found")), null);
                return;
            }
            if (!m.lane().slots().tryAcquire()) {
                refuse(Refusal.BUSY, in, "busy: " + maxConcurrent + " " + m.lane().name() + " requests in progress; try again");
                return;
            }
            AdminExchange ex = new AdminExchange(in.method(), uri, in.protocol(), in.headers(), in.body(),
                    (InetSocketAddress) ch.remoteAddress(), (InetSocketAddress) ch.localAddress());
            try {
                handlers.execute(() -> run(m, ex, in));
            } catch (RejectedExecutionException e) { // closing down
                m.lane().slots().release();
                ch.close();
            }
        }

        /** On a handler thread: the route, then the answer back on the event loop. */
        private void run(Mount m, AdminExchange ex, Incoming in) {
            Runnable answer;
            try {
                Reply reply = m.route().handle(ex);
                answer = () -> answered(in, reply, ex.getResponseHeaders());
            } catch (IllegalArgumentException e) {
                // malformed input the route could not read (e.g. a bad %-escape in the query): the client's fault
                String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                answer = () -> refuse(Refusal.BAD_REQUEST, in, why);
            } catch (RuntimeException | IOException e) {
                failures.log("route", "admin request {} {} failed", in.method(), in.loggedPath(), e);
                answer = () -> respond(in, Reply.json(500, errorJson("internal error")), null);
            } finally {
                m.lane().slots().release();
            }
            try {
                ch.eventLoop().execute(answer);
            } catch (RejectedExecutionException e) {
                // the server is closing: the connection goes with it
            }
        }

        /** A route's own answer: its 400, 401 and 413 are refusals too. */
        private void answered(Incoming in, Reply reply, Headers extra) {
            Refusal counted = switch (reply.status()) {
                case 400 -> Refusal.BAD_REQUEST;
                case 401 -> Refusal.UNAUTHORIZED;
                case 413 -> Refusal.TOO_LARGE;
                default -> null;
            };
            if (counted != null) {
                refused.get(counted).increment();
                refusals.log(counted.tag(), "admin http refused ({}) {} {} from {}", counted.tag(), in.method(),
                        in.loggedPath(), ch.remoteAddress());
            }
            respond(in, reply, extra);
        }

        private void refuse(Refusal reason, Incoming in, String why) {
            refused.get(reason).increment();
            refusals.log(reason.tag(), "admin http refused ({}) {} {} from {}: {}", reason.tag(), in.method(),
                    in.loggedPath(), ch.remoteAddress(), LogText.escape(why, 300));
            int status = switch (reason) {
                case BAD_REQUEST -> 400;
                case UNAUTHORIZED -> 401;
                case BUSY -> 503;
                case TOO_LARGE -> 413;
                case HEADER_TIMEOUT -> 408;
                case NOT_TLS, TLS_HANDSHAKE_TIMEOUT, TLS_HANDSHAKE_FAILED -> throw new IllegalArgumentException(
                        reason + " closes the connection before any request"); // counted by the tlsGate, never answered
            };
            Headers extra = new Headers();
            if (reason == Refusal.UNAUTHORIZED) {
                extra.set("WWW-Authenticate", "Bearer");
            } else if (reason == Refusal.BUSY) {
                extra.set("Retry-After", "1");
            }
            respond(in, Reply.json(status, errorJson(why)), extra);
        }

        private void respond(Incoming in, Reply reply, Headers extra) {
            byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
            boolean keepAlive = in.keepAlive();
            FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(reply.status()),
                    in.method().equals("HEAD") ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
            if (extra != null) {
                for (Map.Entry<String, List<String>> h : extra.entrySet()) {
                    resp.headers().add(h.getKey(), h.getValue());
                }
            }
            resp.headers().set(HttpHeaderNames.CONTENT_TYPE, reply.contentType())
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
            if (!keepAlive) {
                resp.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            }
            ch.writeAndFlush(resp).addListener((ChannelFutureListener) f -> {
                if (!keepAlive || !f.isSuccess()) {
                    ch.close();
                } else {
                    next();
                }
            });
        }

        /** After an answer on a kept-alive connection: the next pipelined request, or wait for one. */
        private void next() {
            answeredBefore = true;
            Incoming queued = pipelined.poll();
            if (queued != null) {
                handle(queued);
                return;
            }
            phase = bytesWhileHandling ? Phase.READING : Phase.WAITING;
            arm(phase == Phase.READING ? headerTimeoutNanos : KEEP_ALIVE.toNanos());
            ch.config().setAutoRead(true);
        }

        private void arm(long nanos) {
            cancel();
            timer = ch.eventLoop().schedule(this::expired, nanos, TimeUnit.NANOSECONDS);
        }

        private void cancel() {
            if (timer != null) {
                timer.cancel(false);
                timer = null;
            }
        }

        private void expired() {
            timer = null;
            if (phase == Phase.HANDLING || !ch.isActive()) {
                return;
            }
            if (phase == Phase.WAITING && answeredBefore) {
                ch.close(); // an idle keep-alive connection: the client may open another when it needs one
                return;
            }
            refused.get(Refusal.HEADER_TIMEOUT).increment();
            refusals.log(Refusal.HEADER_TIMEOUT.tag(), "admin http refused ({}) from {}: request not complete within {} ms",
                    Refusal.HEADER_TIMEOUT.tag(), ch.remoteAddress(), TimeUnit.NANOSECONDS.toMillis(headerTimeoutNanos));
            FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.REQUEST_TIMEOUT,
                    Unpooled.wrappedBuffer(errorJson("request not complete in time").getBytes(StandardCharsets.UTF_8)));
            resp.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json")
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, resp.content().readableBytes())
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ch.writeAndFlush(resp).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
