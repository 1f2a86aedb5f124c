package io.acqswitch.pipeline;

import io.acqswitch.iso.ResponseCode;
import io.acqswitch.iso.Responses;
import io.acqswitch.iso.TerminalRequest;
import io.acqswitch.metrics.SwitchMetrics;
import io.netty.channel.Channel;
import org.jpos.iso.ISOMsg;

/**
 * The hand-off from Netty to the ring: terminal requests and issuer answers are published without
 * waiting. A full ring is an answer, not a wait: the terminal gets 91 at once; an issuer's answer
 * is dropped and counted, and the transaction's deadline reverses it. Netty I/O threads; never
 * blocks.
 */
public final class Handoff {
    private final Ring ring;
    private final SwitchMetrics metrics;

    public Handoff(Ring ring, SwitchMetrics metrics) {
        this.ring = ring;
        this.metrics = metrics;
    }

    /** A terminal's request to the ring, or 91 written at once when the ring is full. */
    public void terminalRequest(TerminalRequest req, ReplyAddress terminal) {
        if (!ring.tryPublishRequest(req, terminal)) {
            metrics.count("switch_ring_full_rejections");
            metrics.response(req.messageClass(), ResponseCode.ISSUER_INOPERATIVE);
            Channel ch = terminal.channel();
            ch.writeAndFlush(terminal.envelope(Responses.answer(req.message(), ResponseCode.ISSUER_INOPERATIVE)), ch.voidPromise());
        }
    }

    /** An issuer's answer to the ring; if the ring is full, the deadline reverses the transaction. */
    public void issuerResponse(int issuer, ISOMsg msg) {
        if (!ring.tryPublishResponse(issuer, msg)) {
            metrics.count("switch_ring_full_issuer_responses_dropped");
        }
    }
}
