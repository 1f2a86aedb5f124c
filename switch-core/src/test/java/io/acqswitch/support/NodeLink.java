package io.acqswitch.support;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * The test's end of a link between nodes (docs/cluster.md, "Requests at the wrong node"), spoken
 * on a plain socket byte by byte as net.PeerFrame lays it out: the test stands in for a forwarding
 * node or for an owner.
 */
public final class NodeLink {
    /** One frame: its kind ({@code Q A R D}), correlation, flag and ISO body. */
    public record Frame(char kind, long correlation, boolean flag, String listener, byte[] body) {}

    private NodeLink() {}

    /** Writes a frame as node 9. */
    public static void send(Socket link, Frame f) throws IOException {
        byte[] listener = f.listener().getBytes(StandardCharsets.UTF_8);
        DataOutputStream out = new DataOutputStream(link.getOutputStream());
        out.writeShort(12 + listener.length + f.body().length);
        out.writeByte(f.kind());
        out.writeByte(9);
        out.writeLong(f.correlation());
        out.writeBoolean(f.flag());
        out.writeByte(listener.length);
        out.write(listener);
        out.write(f.body());
        out.flush();
    }

    /** Reads the next frame (blocks up to the socket's timeout). */
    public static Frame receive(Socket link) throws IOException {
        DataInputStream in = new DataInputStream(link.getInputStream());
        int length = in.readUnsignedShort();
        char kind = (char) in.readByte();
        in.readByte(); // the sender's node id
        long correlation = in.readLong();
        boolean flag = in.readBoolean();
        byte[] listener = new byte[in.readUnsignedByte()];
        in.readFully(listener);
        byte[] body = new byte[length - 12 - listener.length];
        in.readFully(body);
        return new Frame(kind, correlation, flag, new String(listener, StandardCharsets.UTF_8), body);
    }
}
