package io.acqswitch.iso;

import org.jpos.iso.ISOMsg;

/**
 * Classifies ISO 8583:1987 messages by MTI, the first two digits of the processing code (3) and the
 * POS condition code (25): DOMAIN.md, "Message types".
 */
public final class Classifier {
    private static final String COND_PRE_AUTH = "06";

    private Classifier() {}

    /** Never throws; anything not recognised is {@link MessageClass#UNKNOWN}. */
    public static MessageClass classify(ISOMsg m) {
        String mti = m.getString(0);
        if (mti == null) {
            return MessageClass.UNKNOWN;
        }
        String proc = m.hasField(3) && m.getString(3).length() >= 2 ? m.getString(3).substring(0, 2) : "";
        boolean preAuthCondition = COND_PRE_AUTH.equals(m.getString(25));
        return switch (mti) {
            case "0100" -> "20".equals(proc) ? MessageClass.PRE_AUTH_VOID : MessageClass.PRE_AUTH;
            case "0200" -> switch (proc) {
                case "00" -> preAuthCondition ? MessageClass.COMPLETION : MessageClass.SALE;
                case "20" -> preAuthCondition ? MessageClass.COMPLETION_VOID : MessageClass.VOID;
                case "31" -> MessageClass.BALANCE;
                default -> MessageClass.UNKNOWN;
            };
            case "0220" -> switch (proc) {
                case "20" -> MessageClass.REFUND;
                case "00" -> MessageClass.COMPLETION_ADVICE;
                default -> MessageClass.UNKNOWN;
            };
            case "0400", "0401", "0420", "0421" -> MessageClass.REVERSAL;
            case "0800", "0820" -> MessageClass.NETWORK_MANAGEMENT;
            case "0500", "0501" -> MessageClass.SETTLEMENT;
            case "0320" -> MessageClass.BATCH_UPLOAD;
            default -> MessageClass.UNKNOWN;
        };
    }
}
