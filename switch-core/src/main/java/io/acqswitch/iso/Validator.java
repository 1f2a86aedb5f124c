package io.acqswitch.iso;

import org.jpos.iso.ISOMsg;

/**
 * Checks that a classified message carries the fields its class needs, that numeric fields hold
 * digits, and that a card number is 12 to 19 digits. Runs on the Netty thread, before anything
 * reaches the ring.
 */
public final class Validator {
    /** ISO/IEC 7812: a PAN is 12 to 19 digits. */
    static final int PAN_MIN_DIGITS = 12;
    static final int PAN_MAX_DIGITS = 19;

    /** Fields that ISO 8583:1987 defines as numeric and the switch reads. */
    private static final int[] NUMERIC = {2, 3, 4, 7, 11, 12, 13, 14, 22, 25, 32, 70};
    /** cup adds its private BCD fields 60 (type, batch, network code) and 61 (original data). */
    private static final int[] NUMERIC_CUP = {2, 3, 4, 7, 11, 12, 13, 14, 22, 25, 32, 60, 61};

    private Validator() {}

    /** A failed check: what is wrong and with which field. */
    public record Problem(Malformation reason, int field) {
        @Override
        public String toString() {
            return reason.tag() + " (field " + field + ")";
        }
    }

    /** Returns the first problem found, or {@code null} when the message is acceptable. */
    public static Problem check(ISOMsg m, MessageClass cls, Dialect dialect) {
        if (cls == MessageClass.UNKNOWN) {
            return new Problem(Malformation.UNKNOWN_MTI, 0);
        }
        for (int f : dialect == Dialect.CUP ? NUMERIC_CUP : NUMERIC) {
            if (m.hasField(f) && !isDigits(m.getString(f))) {
                return new Problem(Malformation.NON_NUMERIC_FIELD, f);
            }
        }
        if (dialect == Dialect.CUP && cls == MessageClass.NETWORK_MANAGEMENT && !m.hasField(60)) {
            return new Problem(Malformation.MISSING_FIELD, 60); // 60.3 says what is asked (sign-on, echo, …)
        }
        for (int f : mandatory(cls)) {
            if (!m.hasField(f)) {
                return new Problem(Malformation.MISSING_FIELD, f);
            }
        }
        if (cls.isFinancial() && !m.hasField(2) && !m.hasField(35)) {
            return new Problem(Malformation.MISSING_FIELD, 2);
        }
        return panLength(m);
    }

    /**
     * The card number the switch routes on (field 2, else the digits of track 2, field 35, before
     * its separator) must be 12 to 19 digits: a shorter one is no card, yet it would route by its
     * prefix and reach an issuer.
     */
    private static Problem panLength(ISOMsg m) {
        if (m.hasField(2)) {
            return isPan(m.getString(2)) ? null : new Problem(Malformation.BAD_PAN_LENGTH, 2);
        }
        if (m.hasField(35)) {
            return isPan(CardData.panFromTrack2(m.getString(35))) ? null : new Problem(Malformation.BAD_PAN_LENGTH, 35);
        }
        return null;
    }

    private static boolean isPan(String pan) {
        return pan != null && pan.length() >= PAN_MIN_DIGITS && pan.length() <= PAN_MAX_DIGITS && isDigits(pan);
    }

    private static int[] mandatory(MessageClass cls) {
        return switch (cls) {
            case BALANCE -> new int[] {3, 11, 41};
            case SALE, PRE_AUTH -> new int[] {3, 4, 11, 41};
            case VOID, REFUND, PRE_AUTH_VOID, COMPLETION, COMPLETION_ADVICE, COMPLETION_VOID -> new int[] {3, 4, 11, 37, 41};
            case REVERSAL -> new int[] {3, 4, 11, 41};
            case NETWORK_MANAGEMENT -> new int[] {11};
            case SETTLEMENT, BATCH_UPLOAD -> new int[] {11, 41, 48, 60};
            case UNKNOWN -> new int[0];
        };
    }

    static boolean isDigits(String s) {
        if (s == null || s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }
}
