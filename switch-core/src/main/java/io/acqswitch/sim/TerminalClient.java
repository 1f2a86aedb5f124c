package io.acqswitch.sim;

import io.acqswitch.iso.IsoCodec;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import org.jpos.iso.ISOException;
import org.jpos.iso.ISOMsg;

/**
 * A blocking terminal: one TCP connection, 2-byte big-endian length framing, one request and answer
 * at a time. Used by the CLI's {@code send} and by tests. Not thread-safe.
 */
public final class TerminalClient implements AutoCloseable {
    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;
    private final IsoCodec codec;

    public TerminalClient(String host, int port, IsoCodec codec, Duration timeout) throws IOException {
        this(connect(host, port, timeout), codec, timeout);
    }

    /** Over a socket already connected (a TLS one, say); the client owns and closes it. */
    public TerminalClient(Socket connected, IsoCodec codec, Duration timeout) throws IOException {
        this.codec = codec;
        this.socket = connected;
        socket.setSoTimeout((int) timeout.toMillis());
        this.in = new DataInputStream(socket.getInputStream());
        this.out = new DataOutputStream(socket.getOutputStream());
    }

    private static Socket connect(String host, int port, Duration timeout) throws IOException {
        Socket s = new Socket();
        s.setTcpNoDelay(true);
        s.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
        return s;
    }

    /** Packs and sends {@code msg}, then waits for one answer. */
    public ISOMsg exchange(ISOMsg msg) throws IOException, ISOException {
        send(msg);
        return receive();
    }

    public void send(ISOMsg msg) throws IOException, ISOException {
        sendFrame(codec.pack(msg));
    }

    /** Writes a length prefix and {@code body} as they are. */
    public void sendFrame(byte[] body) throws IOException {
        out.writeShort(body.length);
        out.write(body);
        out.flush();
    }

    /** Writes raw bytes with no framing at all (for malformed-input tests). */
    public void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Reads one framed body. @throws SocketTimeoutException when nothing arrives in time */
    public byte[] receiveFrame() throws IOException {
        int len = in.readUnsignedShort();
        byte[] body = new byte[len];
        in.readFully(body);
        return body;
    }

    public ISOMsg receive() throws IOException, ISOException {
        ISOMsg m = codec.newMessage(null);
        codec.unpack(receiveFrame(), m);
        return m;
    }

    /** True when the peer closed the connection (reads end of stream) within the socket timeout. */
    public boolean isClosedByPeer() throws IOException {
        try {
            return in.read() == -1;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // connection reset
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
