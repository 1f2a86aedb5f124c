package io.acqswitch.txn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.acqswitch.iso.Dialect;
import io.acqswitch.iso.IsoCodec;
import io.acqswitch.iso.MessageClass;
import io.acqswitch.iso.Responses;
import io.acqswitch.iso.TerminalRequest;
import io.acqswitch.pipeline.Deliveries;
import io.acqswitch.pipeline.Outbox;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalIoHandler;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A terminal answer no record keeps is made (jPOS clone, set, pack) on the channel's event loop by
 * the outbox, not on the thread that queued it (the ring's), and its bytes are those the processor
 * made itself before. The channel is registered on a real event loop; a handler at its head takes
 * what is written, so no socket is needed.
 */
class TerminalAnswerTest {
    private static final IsoCodec ISO87 = IsoCodec.of(Dialect.ISO87);
    private static final String RRN = "634000000042";

    private final EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, LocalIoHandler.newFactory());
    private final CompletableFuture<Object> written = new CompletableFuture<>();
    private final CompletableFuture<Deliveries> reported = new CompletableFuture<>();
    private final Outbox outbox = new Outbox(reported::complete);
    private Channel terminal;

    @BeforeEach
    void register() throws InterruptedException {
        terminal = new LocalChannel();
        terminal.pipeline().addLast(new ChannelOutboundHandlerAdapter() {
            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                written.complete(msg);
                promise.trySuccess();
            }
        });
        loop.register(terminal).sync();
    }

    @AfterEach
    void stop() {
        terminal.close();
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    @Test
    void shouldMakeTheTimeoutAnswerOnTheChannelsEventLoopWithTheBytesTheProcessorMade() throws Exception {
        TerminalRequest req = sale();
        byte[] madeByTheProcessor = Answers.pack(IssuerMessages.terminalAnswer(req, RRN, "68", null));
        AtomicReference<Thread> madeOn = new AtomicReference<>();
        Outbox.Deferred answer = TerminalAnswer.of(req, RRN, "68");

        outbox.write(() -> terminal, (Outbox.Deferred) () -> {
            madeOn.set(Thread.currentThread());
            return answer.message();
        }, null);
        assertNull(madeOn.get(), "queued, not made");
        outbox.flush();

        byte[] bytes = assertInstanceOf(byte[].class, written.get(5, TimeUnit.SECONDS));
        assertTrue(terminal.eventLoop().inEventLoop(madeOn.get()), "made on the channel's event loop");
        assertNotSame(Thread.currentThread(), madeOn.get());
        assertArrayEquals(madeByTheProcessor, bytes);
        ISOMsg m = new ISOMsg();
        ISO87.unpack(bytes, m);
        assertEquals("0210", m.getString(0));
        assertEquals("68", m.getString(39));
        assertEquals(RRN, m.getString(37));
    }

    @Test
    void shouldMakeTheEchoedReplyOnTheEventLoopAsTheProcessorDid() throws Exception {
        TerminalRequest req = sale();
        byte[] madeByTheProcessor = ISO87.pack(Responses.answer(req.message(), "94"));

        outbox.write(() -> terminal, TerminalAnswer.echo(req, "94"), null);
        outbox.flush();

        ISOMsg answer = assertInstanceOf(ISOMsg.class, written.get(5, TimeUnit.SECONDS));
        assertArrayEquals(madeByTheProcessor, ISO87.pack(answer));
        assertEquals("94", answer.getString(39));
        assertFalse(answer.hasField(35), "no track data in an answer");
    }

    @Test
    void shouldReportAnApprovalWhoseAnswerCannotBeMadeAsUndelivered() throws Exception {
        outbox.write(() -> terminal, (Outbox.Deferred) () -> {
            throw new IllegalStateException("cannot pack");
        }, RRN);
        outbox.flush();

        Deliveries d = reported.get(5, TimeUnit.SECONDS);
        assertEquals(1, d.size());
        assertEquals(RRN, d.rrn(0));
        assertFalse(d.delivered(0), "not written: the approval must be reversed");
        assertFalse(written.isDone(), "nothing reached the channel");
    }

    /** A magnetic-stripe sale as a terminal sends it, bound to the iso87 packager (as the decoder binds it). */
    private static TerminalRequest sale() {
        ISOMsg m = ISO87.newMessage("0200");
        m.set(3, "000000");
        m.set(4, "000000001500");
        m.set(7, "1205020000");
        m.set(11, "000123");
        m.set(22, "021");
        m.set(25, "00");
        m.set(35, "4761739001010010=25122011143804400000");
        m.set(41, "TERM0001");
        m.set(42, "MERCHANT0000001");
        m.set(49, "840");
        return TerminalRequest.of(m, MessageClass.SALE, Dialect.ISO87);
    }
}
