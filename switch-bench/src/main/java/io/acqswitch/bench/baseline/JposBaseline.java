package io.acqswitch.bench.baseline;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.jpos.iso.MUX;
import org.jpos.q2.Q2;
import org.jpos.q2.iso.QMUX;
import org.jpos.util.NameRegistrar;

/**
 * The incumbent: a jPOS switch as jPOS users build one, from the jPOS artifact with its documented
 * settings only. Q2 deploys, from descriptors this class writes to a temporary deploy directory:
 * <pre>
 *   terminals ─▶ QServer (PostChannel: 2-byte binary length, no header; ISO87BPackager; bind-address 127.0.0.1)
 *                   └─ request-listener {@link JposForwarder} ─▶ QMUX (key 41+11, jPOS's default)
 *                                                                   └─ ChannelAdaptor (PostChannel) ─▶ issuer
 * </pre>
 * Lifecycle: {@link #start()} (waits until the issuer link is up and the server accepts),
 * {@link #close()} (Q2 shutdown, deploy directory deleted). Several instances may run in one JVM
 * one after another: each uses names of its own in jPOS's {@code NameRegistrar}.
 */
public final class JposBaseline implements AutoCloseable {
    private static final AtomicInteger INSTANCES = new AtomicInteger();
    private static final long START_TIMEOUT_MILLIS = 20_000;

    private final String issuerHost;
    private final int issuerPort;
    private final int listenPort;
    private final String name = "jpos-baseline-" + INSTANCES.incrementAndGet();
    private Path deployDir;
    private Q2 q2;
    private int port;

    /** A baseline whose QServer listens on a free port borrowed from the OS. */
    public JposBaseline(String issuerHost, int issuerPort) {
        this(issuerHost, issuerPort, 0);
    }

    /** @param listenPort the QServer's port; 0 = a free port borrowed from the OS (see {@link #port()}) */
    public JposBaseline(String issuerHost, int issuerPort, int listenPort) {
        this.issuerHost = issuerHost;
        this.issuerPort = issuerPort;
        this.listenPort = listenPort;
    }

    /**
     * Writes the descriptors, starts Q2 and waits for the link to the issuer and the server socket.
     *
     * @throws IOException when the deploy directory cannot be written
     * @throws InterruptedException when interrupted while waiting
     * @throws IllegalStateException when Q2 is not up within 20 s
     */
    public JposBaseline start() throws IOException, InterruptedException {
        port = listenPort != 0 ? listenPort : freePort();
        deployDir = Files.createTempDirectory("jpos-baseline");
        Files.writeString(deployDir.resolve("10_channel.xml"), """
                <channel-adaptor name="%1$s-channel" class="org.jpos.q2.iso.ChannelAdaptor">
                  <channel class="org.jpos.iso.channel.PostChannel" packager="org.jpos.iso.packager.ISO87BPackager">
                    <property name="host" value="%2$s"/>
                    <property name="port" value="%3$d"/>
                  </channel>
                  <in>%1$s-send</in>
                  <out>%1$s-receive</out>
                  <reconnect-delay>1000</reconnect-delay>
                </channel-adaptor>
                """.formatted(name, issuerHost, issuerPort));
        Files.writeString(deployDir.resolve("20_mux.xml"), """
                <mux name="%1$s-mux" class="org.jpos.q2.iso.QMUX">
                  <in>%1$s-receive</in>
                  <out>%1$s-send</out>
                  <ready>%1$s-channel.ready</ready>
                </mux>
                """.formatted(name));
        Files.writeString(deployDir.resolve("30_server.xml"), """
                <server name="%1$s-server" class="org.jpos.q2.iso.QServer">
                  <attr name="port" type="java.lang.Integer">%2$d</attr>
                  <channel class="org.jpos.iso.channel.PostChannel" packager="org.jpos.iso.packager.ISO87BPackager"/>
                  <property name="bind-address" value="127.0.0.1"/>
                  <request-listener class="%3$s">
                    <property name="mux" value="%1$s-mux"/>
                    <property name="timeout" value="10000"/>
                  </request-listener>
                </server>
                """.formatted(name, port, JposForwarder.class.getName()));
        q2 = new Q2(deployDir.toString());
        q2.start();
        long end = System.currentTimeMillis() + START_TIMEOUT_MILLIS;
        if (!q2.ready(START_TIMEOUT_MILLIS)) {
            close();
            throw new IllegalStateException("jPOS Q2 did not become ready in 20 s");
        }
        while (!muxConnected() || !accepting()) {
            if (System.currentTimeMillis() > end) {
                close();
                throw new IllegalStateException("jPOS baseline: issuer link or server not up in 20 s");
            }
            Thread.sleep(50);
        }
        return this;
    }

    public int port() {
        return port;
    }

    private boolean muxConnected() {
        try {
            MUX mux = QMUX.getMUX(name + "-mux");
            return mux.isConnected();
        } catch (NameRegistrar.NotFoundException e) {
            return false;
        }
    }

    private boolean accepting() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** QServer takes a fixed port: borrow a free one from the OS (it could be taken meanwhile; unlikely on 127.0.0.1). */
    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        if (q2 != null) {
            q2.shutdown(true);
            q2 = null;
        }
        if (deployDir != null) {
            try (Stream<Path> files = Files.walk(deployDir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            } catch (IOException e) {
                System.err.println("jpos baseline: could not delete " + deployDir + ": " + e);
            }
            deployDir = null;
        }
    }
}
