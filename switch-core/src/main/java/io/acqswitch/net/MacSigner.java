package io.acqswitch.net;

import io.acqswitch.config.SwitchConfig.MacMode;
import io.acqswitch.iso.IsoCodec;
import io.acqswitch.metrics.SwitchMetrics;
import io.acqswitch.security.KeyService;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.jpos.iso.ISOException;
import org.jpos.iso.ISOMsg;

/**
 * MACs the answers to financial requests, reversals, settlements and batch uploads of terminals that have a MAK: field 64 (128
 * when the answer has a secondary bitmap) over the packed answer from the MTI to the field before
 * it, the same bytes a terminal's request MAC covers. Works on the packed body, so replayed answers
 * (stored packed, without a MAC) are MACed as they leave. Connections that never carried a keyed
 * terminal's traffic pass through untouched, unpacked. An answer that cannot be MACed (the module
 * refused) leaves without one, counted: the terminal then rejects it, as it would a corrupted one.
 * Stateless, hence shared by a listener's connections.
 */
@Sharable
final class MacSigner extends MessageToMessageEncoder<ByteBuf> {
    /** Answers whose requests carry a MAC: authorization, financial, advice, reversal, settlement and batch upload answers. */
    private static final Set<String> MACED = Set.of("0110", "0130", "0210", "0230", "0410", "0430", "0510", "0330");

    private final KeyService keys;
    private final MacMode mode;
    private final IsoCodec codec;
    private final SwitchMetrics metrics;

    MacSigner(KeyService keys, MacMode mode, IsoCodec codec, SwitchMetrics metrics) {
        super(ByteBuf.class);
        this.keys = keys;
        this.mode = mode;
        this.codec = codec;
        this.metrics = metrics;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, ByteBuf body, List<Object> out) {
        if (mode == MacMode.OFF || !Boolean.TRUE.equals(ctx.channel().attr(TerminalSecurity.KEYED).get())) {
            out.add(body.retain());
            return;
        }
        byte[] signed = sign(ByteBufUtil.getBytes(body));
        out.add(signed != null ? Unpooled.wrappedBuffer(signed) : body.retain());
    }

    /** The answer with its MAC, or null to send it as it is (not a MACed answer, or no MAK). */
    private byte[] sign(byte[] bytes) {
        ISOMsg m = new ISOMsg();
        try {
            codec.unpack(bytes, m);
            if (!MACED.contains(m.getMTI()) || m.hasField(64) || m.hasField(128)) {
                return null;
            }
            String tid = m.hasField(41) ? m.getString(41).trim() : "";
            int macField = m.getMaxField() > 64 ? 128 : 64;
            m.set(macField, new byte[8]);
            byte[] packed = codec.pack(m);
            int from = codec.dialect().headerLength();
            int to = packed.length - 8;
            byte[] mac = keys.mac(TerminalSecurity.algorithm(codec.dialect()), tid, Arrays.copyOfRange(packed, from, to));
            if (mac == null) {
                if (keys.terminalHasKeys(tid)) {
                    metrics.count("switch_security_failures", "operation", "answer_mac");
                }
                return null;
            }
            System.arraycopy(mac, 0, packed, to, 8);
            return packed;
        } catch (ISOException e) {
            return null; // the switch's own answer always repacks; nothing to MAC otherwise
        }
    }
}
