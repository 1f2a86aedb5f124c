package io.acqswitch.iso;

import java.util.Locale;

/** Why a terminal's input was rejected; the lower-case name is the metrics tag {@code reason}. */
public enum Malformation {
    /** Length prefix above the listener's maximum frame: connection closed. */
    FRAME_TOO_LONG,
    /** Length prefix of 0: connection closed. */
    EMPTY_FRAME,
    /** A frame no longer than the dialect's header (TPDU + header, no message): connection closed. */
    SHORT_FRAME,
    /** Bytes that do not unpack with the dialect's packager (bad bitmap, truncated field, leftovers). */
    UNPACK_FAILED,
    /** An MTI the switch does not handle. */
    UNKNOWN_MTI,
    /** A field the message class requires is absent. */
    MISSING_FIELD,
    /** Non-digits in a numeric field. */
    NON_NUMERIC_FIELD,
    /** A card number (field 2, or track 2's in field 35) that is not 12 to 19 digits: answered 30. */
    BAD_PAN_LENGTH,
    /** A connection over the listener's limit: closed at once. */
    TOO_MANY_CONNECTIONS,
    /** A peer that stopped sending in the middle of a frame (or sent nothing) past the idle timeout. */
    IDLE_TIMEOUT,
    /**
     * A frame not complete within the listener's {@code frameTimeout} of its first byte: a peer that
     * dribbles a byte now and then never trips the idle timeout, so this closes it.
     */
    FRAME_TIMEOUT,
    /**
     * A peer that does not read its answers: more than the write buffer's high-water mark waits for
     * it. The switch stops reading its requests until it catches up (closed at the idle timeout if never).
     */
    SLOW_READER,
    /** On a TLS listener: the peer's first bytes are no TLS record (a plain-text client): connection closed. */
    NOT_TLS,
    /** On a TLS listener: the handshake did not finish within the listener's {@code frameTimeout}: closed. */
    TLS_HANDSHAKE_TIMEOUT,
    /** On a TLS listener: the handshake failed (no or an untrusted client certificate, nothing in common): closed. */
    TLS_HANDSHAKE_FAILED;

    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }
}
