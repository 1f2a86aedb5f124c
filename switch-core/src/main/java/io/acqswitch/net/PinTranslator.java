package io.acqswitch.net;

import io.acqswitch.iso.CardData;
import io.acqswitch.metrics.SwitchMetrics;
import io.acqswitch.metrics.ThrottledLog;
import io.acqswitch.security.KeyService;
import io.acqswitch.security.KeyService.PinResult;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import java.util.function.Consumer;
import org.jpos.iso.ISOMsg;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * On an issuer link, just before a request is packed: re-encrypts its PIN block (field 52, ISO
 * format 0) from the terminal's PIN key to the issuer's zone PIN key inside the security module,
 * on the link's event loop (never on the processor's thread). A terminal without a PIN key is left
 * as it was. A block that cannot be translated (the issuer has no ZPK, the block is not format 0
 * for the card, the module failed) is not sent: {@code refused} gets the request, and the link
 * answers it 96 in the issuer's stead, so the terminal is answered 96 and no issuer holds anything.
 * One per link connection.
 */
final class PinTranslator extends ChannelOutboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(PinTranslator.class);
    private static final ThrottledLog FAILURES = new ThrottledLog(LOG, Level.WARN, 10_000);

    private final KeyService keys;
    private final String issuerId;
    private final SwitchMetrics metrics;
    private final Consumer<ISOMsg> refused;

    PinTranslator(KeyService keys, String issuerId, SwitchMetrics metrics, Consumer<ISOMsg> refused) {
        this.keys = keys;
        this.issuerId = issuerId;
        this.metrics = metrics;
        this.refused = refused;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof ISOMsg m) || !m.hasField(52) || "0800".equals(m.getString(0))) {
            ctx.write(msg, promise);
            return;
        }
        String tid = m.hasField(41) ? m.getString(41).trim() : "";
        String pan = m.hasField(2) ? m.getString(2) : CardData.panFromTrack2(m.getString(35));
        PinResult result = pan == null ? new PinResult.Failed("no PAN for the PIN block")
                : keys.translatePin(tid, issuerId, m.getBytes(52), pan);
        switch (result) {
            case PinResult.Translated t -> {
                m.set(52, t.pinBlock());
                metrics.count("switch_pin_translations", "issuer", issuerId, "result", "translated");
                ctx.write(m, promise);
            }
            case PinResult.Unkeyed u -> ctx.write(m, promise);
            case PinResult.Failed f -> {
                metrics.count("switch_pin_translations", "issuer", issuerId, "result", "failed");
                FAILURES.log("pin-" + issuerId, "PIN block of tid={} stan={} not translated for issuer {}: {}; answered 96",
                        tid, m.getString(11), issuerId, f.reason());
                promise.trySuccess(); // nothing written: the request is answered here instead
                refused.accept(m);
            }
        }
    }
}
