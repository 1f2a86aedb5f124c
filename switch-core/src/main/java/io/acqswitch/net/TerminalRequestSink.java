package io.acqswitch.net;

import io.acqswitch.iso.TerminalRequest;
import io.acqswitch.pipeline.ReplyAddress;

/**
 * Where the terminal server hands requests it does not answer itself (everything but network
 * management). Called on a Netty I/O thread: implementations must not block.
 */
@FunctionalInterface
public interface TerminalRequestSink {
    /**
     * Takes one request; the answer is written to {@code terminal}'s connection later (or at once),
     * as an {@code ISOMsg} or pre-packed {@code byte[]} body.
     *
     * @param terminal the connection's reply address, the same instance for every request it sends
     */
    void accept(TerminalRequest request, ReplyAddress terminal);
}
