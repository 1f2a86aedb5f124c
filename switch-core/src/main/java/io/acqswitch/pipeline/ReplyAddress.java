package io.acqswitch.pipeline;

import io.netty.channel.Channel;

/**
 * Where a terminal's answers go: the processor ({@code txn}) carries it from the ring event to the
 * {@link Outbox} as an opaque value and never calls it, so {@code txn} needs no Netty. The terminal
 * server makes one per connection when the connection opens, so handing a request to the ring
 * allocates nothing for it.
 *
 * <p>It lives here rather than in {@code txn} because the ring's event carries it, and {@code txn}
 * already builds on {@code pipeline} (a type of {@code txn}'s own would make the two packages
 * depend on each other).
 */
@FunctionalInterface
public interface ReplyAddress {
    /**
     * The connection the terminal's answers are written on; for {@code pipeline} (the outbox, the
     * hand-off) only. A terminal of another node (a forwarded request, docs/cluster.md): the link to
     * that node.
     */
    Channel channel();

    /**
     * What is written on {@link #channel()} for {@code answer} (packed {@code byte[]}, an
     * {@code ISOMsg} or an {@link Outbox.Deferred}): the answer itself, or, for a terminal of
     * another node, the answer addressed to it there. A tracked write's promise then completes when
     * that node's terminal connection took it (or failed).
     */
    default Object envelope(Object answer) {
        return answer;
    }
}
