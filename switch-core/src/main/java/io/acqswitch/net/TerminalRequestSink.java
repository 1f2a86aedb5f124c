package io.acqswitch.net;

import io.acqswitch.iso.TerminalRequest;
import io.netty.channel.Channel;

/**
 * Where the terminal server hands requests it does not answer itself (everything but network
 * management). Called on a Netty I/O thread: implementations must not block.
 */
@FunctionalInterface
public interface TerminalRequestSink {
    /**
     * Takes one request; the answer is written to {@code terminal} later (or at once), as an
     * {@code ISOMsg} or pre-packed {@code byte[]} body.
     */
    void accept(TerminalRequest request, Channel terminal);
}
