package io.acqswitch.iso;

import org.jpos.iso.ISOMsg;

/**
 * A terminal's request as later stages see it: classified, validated, with the fields the switch
 * routes and matches on pulled out. Built on the Netty thread; immutable by contract (the wrapped
 * {@link ISOMsg} is never changed after construction: copy it with {@code clone()} to derive
 * messages). {@link #toString()} masks the PAN and shows no other card data.
 *
 * @param mti            message type indicator, e.g. {@code 0200}
 * @param messageClass   what the message asks for
 * @param processingCode field 3, or empty
 * @param amount         field 4 in minor units, or 0 when absent
 * @param stan           field 11 as sent by the terminal
 * @param terminalId     field 41, or empty
 * @param merchantId     field 42, or empty
 * @param pan            field 2 or the PAN part of field 35, or {@code null}; never log it, use {@link #maskedPan()}
 * @param message        the unpacked message
 * @param receivedNanos  {@link System#nanoTime()} when it was decoded (start of end-to-end latency)
 * @param dialect        the dialect of the listener it came in on (decides answers' framing and codes)
 */
public record TerminalRequest(
        String mti,
        MessageClass messageClass,
        String processingCode,
        long amount,
        String stan,
        String terminalId,
        String merchantId,
        String pan,
        ISOMsg message,
        long receivedNanos,
        Dialect dialect) {

    /** Builds the view from an unpacked message that passed {@link Validator#check}. */
    public static TerminalRequest of(ISOMsg m, MessageClass cls, Dialect dialect) {
        String pan = m.hasField(2) ? m.getString(2) : CardData.panFromTrack2(m.getString(35));
        long amount = m.hasField(4) ? Long.parseLong(m.getString(4)) : 0L;
        return new TerminalRequest(
                m.getString(0), cls, orEmpty(m.getString(3)), amount, orEmpty(m.getString(11)),
                orEmpty(m.getString(41)).trim(), orEmpty(m.getString(42)).trim(), pan, m, System.nanoTime(),
                dialect);
    }

    public String maskedPan() {
        return CardData.maskPan(pan);
    }

    @Override
    public String toString() {
        // STAN, terminal and merchant ids are text the terminal chose: escaped so they stay on one line
        return mti + " " + messageClass.tag() + " stan=" + LogText.escape(stan) + " tid=" + LogText.escape(terminalId)
                + " mid=" + LogText.escape(merchantId) + " pan=" + maskedPan() + " amount=" + amount;
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }
}
