package io.acqswitch.iso;

import org.jpos.iso.ISOBinaryField;
import org.jpos.iso.ISOComponent;
import org.jpos.iso.ISOException;
import org.jpos.iso.ISOMsg;

/**
 * Renders messages for logs with card data masked or left out (never use {@code ISOMsg.dump}):
 * the PAN masked, the sensitive fields ({@link CardData#isHidden}) and binary fields hidden, the
 * private fields ({@link #isPrivate}) by length only, and every other value with its control
 * characters escaped ({@link LogText}), since every field is text a terminal chose.
 */
public final class IsoLog {
    private IsoLog() {}

    /**
     * Fields shown by length only: 48 (additional data: batch totals and uploads here, but card
     * data or names in some terminals' layouts), 60–63 and 120–127 (national and private use:
     * anything, including card data). Their content is never needed to read a log line.
     */
    public static boolean isPrivate(int field) {
        return field == 48 || (field >= 60 && field <= 63) || (field >= 120 && field <= 127);
    }

    /** E.g. {@code 0200 [2=411111******1111 3=000000 4=000000001000 11=000001 35=<hidden> 48=<62 chars>]}. */
    public static String describe(ISOMsg m) {
        if (m == null) {
            return "<none>";
        }
        StringBuilder sb = new StringBuilder(128);
        sb.append(mti(m)).append(" [");
        boolean first = true;
        for (int f = 2; f <= m.getMaxField(); f++) {
            if (m.hasField(f)) {
                sb.append(first ? "" : " ").append(f).append('=').append(value(m, f, false));
                first = false;
            }
        }
        return sb.append(']').toString();
    }

    /**
     * Every field present, one {@code number=value} line each (the MTI as field 0), masked as
     * {@link #describe} masks them but for the hidden fields, which show their length too
     * ({@code 35=<hidden, 37 chars>}, {@code 52=<hidden, 8 bytes>}): the messages' text the journal
     * keeps for the console. Values hold no line break (control characters are escaped).
     */
    public static String fields(ISOMsg m) {
        StringBuilder sb = new StringBuilder(256).append("0=").append(mti(m));
        for (int f = 2; f <= m.getMaxField(); f++) {
            if (m.hasField(f)) {
                sb.append('\n').append(f).append('=').append(value(m, f, true));
            }
        }
        return sb.toString();
    }

    private static String mti(ISOMsg m) {
        return m.getString(0) == null ? "????" : LogText.escape(m.getString(0), 8);
    }

    /** Field {@code f} of {@code m} as it may be shown: masked, hidden or by length, else escaped. */
    private static String value(ISOMsg m, int f, boolean hiddenLength) {
        if (f == 2) {
            return LogText.escape(CardData.maskPan(m.getString(2)));
        }
        if (CardData.isHidden(f) || m.getComponent(f) instanceof ISOBinaryField) {
            return hiddenLength ? "<hidden, " + length(m.getComponent(f)).substring(1) : "<hidden>";
        }
        if (isPrivate(f)) {
            return length(m.getComponent(f));
        }
        return LogText.escape(m.getString(f), 120);
    }

    /** {@code <62 chars>}, {@code <8 bytes>}, or {@code <present>} for a composite field. */
    private static String length(ISOComponent c) {
        try {
            Object v = c.getValue();
            if (v instanceof String s) {
                return "<" + s.length() + " chars>";
            }
            if (v instanceof byte[] b) {
                return "<" + b.length + " bytes>";
            }
        } catch (ISOException e) {
            // a composite whose value cannot be read: its presence is all a log needs
        }
        return "<present>";
    }
}
