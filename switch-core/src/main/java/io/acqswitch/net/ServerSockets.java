package io.acqswitch.net;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import java.io.IOException;

/** Binding a Netty server socket, the same way on every side that listens (terminal listeners, node links, issuer stubs). */
public final class ServerSockets {
    private ServerSockets() {}

    /**
     * Binds {@code bootstrap} to {@code host:port} and returns the listening channel once it listens.
     *
     * @throws IOException when it cannot listen (a {@link java.net.BindException} when the port is in use)
     * @throws InterruptedException if interrupted while binding
     */
    public static Channel bind(ServerBootstrap bootstrap, String host, int port) throws IOException, InterruptedException {
        ChannelFuture bound = bootstrap.bind(host, port).await();
        if (!bound.isSuccess()) {
            bound.channel().close();
            throw bound.cause() instanceof IOException e ? e : new IOException(bound.cause().toString(), bound.cause());
        }
        return bound.channel();
    }
}
