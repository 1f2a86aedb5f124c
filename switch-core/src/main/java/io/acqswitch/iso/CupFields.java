package io.acqswitch.iso;

import org.jpos.iso.ISOMsg;

/**
 * UnionPay field 60 (BCD, left-aligned), read by position:
 * <pre>
 *   60.1 type n2 │ 60.2 batch n6 │ 60.3 network management code n3 │ 60.4 … (terminal capability, IC condition, …)
 * </pre>
 * Each accessor returns an empty string when field 60 is absent or too short to hold the subfield.
 */
public final class CupFields {
    /** 60.1 of management messages (sign-on, settlement). */
    public static final String TYPE_MANAGEMENT = "00";

    private CupFields() {}

    /** 60.1: message type code (22 sale, 23 void, 25 refund, 01 balance, 10 pre-auth, …). */
    public static String type(ISOMsg m) {
        return sub(m, 0, 2);
    }

    /** 60.2: the terminal's batch number. */
    public static String batch(ISOMsg m) {
        return sub(m, 2, 8);
    }

    /** 60.3: network management code (001/003/004 sign-on, 002 sign-off, 301 echo, 201 settlement). */
    public static String networkCode(ISOMsg m) {
        return sub(m, 8, 11);
    }

    private static String sub(ISOMsg m, int from, int to) {
        String f60 = m.getString(60);
        return f60 == null || f60.length() < to ? "" : f60.substring(from, to);
    }
}
