package io.acqswitch.pipeline;

/** What a {@link SwitchEvent} carries. */
public enum EventType {
    /** A classified, validated request from a terminal connection. */
    TERMINAL_REQUEST,
    /** An answer from an issuer link. */
    ISSUER_RESPONSE,
    /** The terminal's socket accepted an approval (it is delivered). */
    DELIVERED,
    /** Writing an answer to the terminal failed: its connection is gone. */
    UNDELIVERABLE,
    /** Time passed: deadlines and store-and-forward retries are due. */
    TICK,
    /** Operations: send an expired reversal again (rrn, note = who: why). */
    SAF_REQUEUE,
    /** Operations: a pending or expired reversal was settled by hand (rrn, note = who: why). */
    SAF_RESOLVE
}
