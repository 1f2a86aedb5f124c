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
