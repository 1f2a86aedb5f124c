package io.acqswitch.net;

/** The life of one issuer connection. Requests are sent only on an {@link #UP} link. */
public enum LinkState {
    /** Not connected; a reconnect is scheduled. */
    DOWN,
    /** TCP connect in progress. */
    CONNECTING,
    /** Connected, sign-on (0800, 70 = 001) sent, answer awaited. */
    SIGNING_ON,
    /** Signed on: carries traffic. */
    UP,
    /** Closed for good (shutdown). */
    CLOSED
}
