package io.acqswitch.txn;

import io.acqswitch.iso.Responses;
import io.acqswitch.iso.TerminalRequest;
import io.acqswitch.pipeline.Outbox;

/**
 * A terminal answer the processor decided but does not build: the terminal's request and the few
 * values the answer sets, made into the message on the channel's event loop by the {@link Outbox}
 * (STYLE 13: the ring thread does no jPOS clone, set or pack for it). For answers that no record
 * keeps; a recorded answer is packed where it is recorded (the store keeps its bytes for replay).
 *
 * <p>Made on the processor thread, read once on an event loop: immutable, and the request is not
 * changed once handed to the ring.
 */
final class TerminalAnswer implements Outbox.Deferred {
    private final TerminalRequest request;
    private final String rrn;
    private final String responseCode;

    private TerminalAnswer(TerminalRequest request, String rrn, String responseCode) {
        this.request = request;
        this.rrn = rrn;
        this.responseCode = responseCode;
    }

    /** The request's own fields and {@code responseCode} (an {@code ISOMsg}: the channel's encoder packs it). */
    static TerminalAnswer echo(TerminalRequest request, String responseCode) {
        return new TerminalAnswer(request, null, responseCode);
    }

    /** As {@link IssuerMessages#terminalAnswer} with no issuer answer: the switch's {@code rrn} and {@code responseCode}, packed. */
    static TerminalAnswer of(TerminalRequest request, String rrn, String responseCode) {
        return new TerminalAnswer(request, rrn, responseCode);
    }

    /** Event loop: the answer, as {@link #echo} or {@link #of} describe. */
    @Override
    public Object message() {
        if (rrn == null) {
            return Responses.answer(request.message(), responseCode);
        }
        return Answers.pack(IssuerMessages.terminalAnswer(request, rrn, responseCode, null));
    }
}
