package io.acqswitch.net;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.MessageToMessageCodec;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One frame of a link between two nodes (docs/cluster.md, "Requests at the wrong node"), framed
 * like every ISO side by a 2-byte length ({@link IsoMessageDecoder#lengthDecoder}):
 * <pre>
 *   +------+------+-------------+------+-----+----------+----------------------------------+
 *   | kind | node | correlation | flag | len | listener | body: the ISO message as framed  |
 *   |  1   |  1   |   8 (long)  |  1   |  1  |   len    | for the terminal (header, MTI..) |
 *   +------+------+-------------+------+-----+----------+----------------------------------+
 * </pre>
 * {@code node} is the sender's node id, {@code correlation} the forwarding node's number for the
 * request (every frame about it carries it). Kinds: {@link #REQUEST} (forwarding node to owner:
 * the terminal's request, and the terminal listener it came in on), {@link #ANSWER} (owner to
 * forwarding node: the answer; {@code flag}: its delivery is to be confirmed), {@link #REFUSED}
 * (owner: not taken, the forwarding node answers 91 itself), {@link #DELIVERY} (forwarding node to
 * owner: {@code flag} true when the terminal's connection took the answer).
 */
record PeerFrame(byte kind, int node, long correlation, boolean flag, String listener, byte[] body) {
    static final byte REQUEST = 'Q';
    static final byte ANSWER = 'A';
    static final byte REFUSED = 'R';
    static final byte DELIVERY = 'D';
    private static final byte[] NONE = new byte[0];

    static PeerFrame request(int node, long correlation, String listener, byte[] body) {
        return new PeerFrame(REQUEST, node, correlation, false, listener, body);
    }

    static PeerFrame answer(int node, long correlation, boolean tracked, byte[] body) {
        return new PeerFrame(ANSWER, node, correlation, tracked, "", body);
    }

    static PeerFrame refused(int node, long correlation) {
        return new PeerFrame(REFUSED, node, correlation, false, "", NONE);
    }

    static PeerFrame delivery(int node, long correlation, boolean delivered) {
        return new PeerFrame(DELIVERY, node, correlation, delivered, "", NONE);
    }

    /** Frame bodies to and from {@link PeerFrame}s; a body that does not parse closes the link. Stateless. */
    @Sharable
    static final class Codec extends MessageToMessageCodec<ByteBuf, PeerFrame> {
        @Override
        protected void encode(ChannelHandlerContext ctx, PeerFrame f, List<Object> out) {
            byte[] listener = f.listener().getBytes(StandardCharsets.UTF_8);
            ByteBuf b = ctx.alloc().buffer(13 + listener.length + f.body().length);
            b.writeByte(f.kind()).writeByte(f.node()).writeLong(f.correlation()).writeBoolean(f.flag())
                    .writeByte(listener.length).writeBytes(listener).writeBytes(f.body());
            out.add(b);
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf b, List<Object> out) {
            if (b.readableBytes() < 12) {
                throw new CorruptedFrameException("node link frame of " + b.readableBytes() + " bytes");
            }
            byte kind = b.readByte();
            int node = b.readUnsignedByte();
            long correlation = b.readLong();
            boolean flag = b.readBoolean();
            int len = b.readUnsignedByte();
            if (b.readableBytes() < len) {
                throw new CorruptedFrameException("node link frame cut in its listener name");
            }
            String listener = b.readCharSequence(len, StandardCharsets.UTF_8).toString();
            byte[] body = new byte[b.readableBytes()];
            b.readBytes(body);
            out.add(new PeerFrame(kind, node, correlation, flag, listener, body));
        }
    }
}
