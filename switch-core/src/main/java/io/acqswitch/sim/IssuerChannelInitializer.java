package io.acqswitch.sim;

import io.acqswitch.iso.IsoCodec;
import io.acqswitch.net.IsoMessageDecoder;
import io.acqswitch.net.IsoMessageEncoder;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import java.util.function.Supplier;

/**
 * Builds an issuer stub connection's pipeline:
 * <pre>
 *   in:  frameDecoder (2-byte length, hard max) ─▶ isoDecoder (unpack) ─▶ issuerHandler
 *   out: frameEncoder (2-byte length) ◀─ isoEncoder (pack) ◀─ answers from issuerHandler
 * </pre>
 * With {@code refuseConnections} in force a new connection is closed before any handler is added.
 */
final class IssuerChannelInitializer extends ChannelInitializer<SocketChannel> {
    static final int MAX_FRAME_BYTES = 8192;

    private final String stubName;
    private final StubProcessor processor;
    private final Supplier<ActiveRules> rules;
    private final IsoMessageDecoder isoDecoder;
    private final IsoMessageEncoder isoEncoder;

    IssuerChannelInitializer(String stubName, IsoCodec codec, StubProcessor processor, Supplier<ActiveRules> rules) {
        this.stubName = stubName;
        this.processor = processor;
        this.rules = rules;
        this.isoDecoder = new IsoMessageDecoder(codec);
        this.isoEncoder = new IsoMessageEncoder(codec);
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        if (rules.get().rules().refuseConnections()) {
            ch.close();
            return;
        }
        ch.pipeline()
                .addLast("frameDecoder", IsoMessageDecoder.lengthDecoder(MAX_FRAME_BYTES))
                .addLast("frameEncoder", IsoMessageEncoder.lengthPrepender())
                .addLast("isoDecoder", isoDecoder)
                .addLast("isoEncoder", isoEncoder)
                .addLast("issuerHandler", new IssuerHandler(stubName, processor, rules));
    }
}
