package io.acqswitch.net;

import io.acqswitch.config.SwitchConfig;
import org.jpos.iso.ISOMsg;

/**
 * What the processor needs of the issuer side: look-up, sending and link state. Implemented by
 * {@link IssuerGateway}; benchmarks and unit tests may supply their own. Called from the processor
 * thread.
 */
public interface Issuers {
    /** {@link #send} result: no link of the issuer is up. */
    int NO_LINK_UP = -1;
    /** {@link #send} result: every up link is at its outstanding limit. */
    int BACKPRESSURE = -2;

    int issuerCount();

    /** Index of the issuer with this id, or -1. */
    int indexOf(String issuerId);

    SwitchConfig.Issuer issuer(int issuer);

    /**
     * Sends a request; answers come back through the {@link IssuerResponseSink}.
     *
     * @return the link used (≥ 0, for {@link #abandon}), or {@link #NO_LINK_UP} / {@link #BACKPRESSURE}
     */
    int send(int issuer, ISOMsg request);

    /**
     * Sends a request after another, on the link that one went out on: a reversal advice after
     * its original, so that one TCP connection delivers them in order and the issuer never sees the
     * advice first (it would take it as an orphan and then apply the late original). When that link
     * is up but at its outstanding limit nothing is sent ({@link #BACKPRESSURE}: try again later,
     * rather than overtake on another link); when it is not up, or {@code link} is negative (not
     * known, e.g. the original was sent by an earlier process), as {@link #send}.
     *
     * @param link the link the earlier request went out on ({@link #send}'s result), or -1
     */
    int sendAfter(int issuer, ISOMsg request, int link);

    /**
     * Requests {@link #send} accepted may wait until this is called (the processor calls it at the
     * end of each ring batch, so a batch costs one hand-over per event loop); none by default.
     */
    default void flush() {
    }

    /** The request sent on {@code link} will not be answered any more: free its slot. */
    void abandon(int issuer, int link);

    /** Signed-on links of the issuer. */
    int linksUp(int issuer);
}
