package io.acqswitch.iso;

import org.jpos.iso.ISOMsg;

/**
 * Classifies terminal messages (docs/wire.md, "Wire contract" and the UnionPay "Transactions" table): iso87 by MTI, the first two digits of
 * the processing code (3) and the POS condition code (25); cup by the same plus 60.1, the UnionPay
 * message type code, which must agree.
 */
public final class Classifier {
    private static final String COND_PRE_AUTH = "06";

    private Classifier() {}

    /** Never throws; anything not recognised is {@link MessageClass#UNKNOWN}. */
    public static MessageClass classify(ISOMsg m, Dialect dialect) {
        String mti = m.getString(0);
        if (mti == null) {
            return MessageClass.UNKNOWN;
        }
        String proc = m.hasField(3) && m.getString(3).length() >= 2 ? m.getString(3).substring(0, 2) : "";
        String cond = m.hasField(25) ? m.getString(25) : "";
        return switch (dialect) {
            case ISO87 -> iso87(mti, proc, COND_PRE_AUTH.equals(cond));
            case CUP -> cup(mti, proc, cond, CupFields.type(m));
        };
    }

    private static MessageClass iso87(String mti, String proc, boolean preAuthCondition) {
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
            default -> common(mti);
        };
    }

    /** MTI / 3 (two digits) / 25 / 60.1, e.g. {@code 0200/00/00/22} sale (docs/wire.md, UnionPay "Transactions"). */
    private static MessageClass cup(String mti, String proc, String cond, String type) {
        return switch (mti + '/' + proc + '/' + cond + '/' + type) {
            case "0200/00/00/22" -> MessageClass.SALE;
            case "0200/20/00/23" -> MessageClass.VOID;
            case "0220/20/00/25" -> MessageClass.REFUND;
            case "0100/03/06/10" -> MessageClass.PRE_AUTH;
            case "0100/20/06/11" -> MessageClass.PRE_AUTH_VOID;
            case "0200/00/06/20" -> MessageClass.COMPLETION;
            case "0200/20/06/21" -> MessageClass.COMPLETION_VOID;
            case "0220/00/06/24" -> MessageClass.COMPLETION_ADVICE;
            case "0200/31/00/01" -> MessageClass.BALANCE;
            default -> common(mti);
        };
    }

    /** Classes decided by the MTI alone, in both dialects. */
    private static MessageClass common(String mti) {
        return switch (mti) {
            case "0400", "0401", "0420", "0421" -> MessageClass.REVERSAL;
            case "0800", "0820" -> MessageClass.NETWORK_MANAGEMENT;
            case "0500", "0501" -> MessageClass.SETTLEMENT;
            case "0320" -> MessageClass.BATCH_UPLOAD;
            default -> MessageClass.UNKNOWN;
        };
    }
}
