package io.acqswitch.net;

import org.jpos.iso.ISOMsg;

/** Receives issuers' answers to forwarded requests. Called on Netty I/O threads: must not block. */
@FunctionalInterface
public interface IssuerResponseSink {
    /**
     * @param issuer   index of the issuer in configuration order
     * @param response the unpacked answer (any MTI but network management, which links handle)
     */
    void onIssuerResponse(int issuer, ISOMsg response);
}
