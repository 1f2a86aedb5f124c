package io.acqswitch.iso;

import org.jpos.iso.ISOMsg;

/** Renders messages for logs with card data masked or left out (never use {@code ISOMsg.dump}). */
public final class IsoLog {
    private IsoLog() {}

    /** E.g. {@code 0200 [2=411111******1111 3=000000 4=000000001000 11=000001 35=<hidden>]}. */
    public static String describe(ISOMsg m) {
        if (m == null) {
            return "<none>";
        }
        StringBuilder sb = new StringBuilder(128);
        sb.append(m.getString(0) == null ? "????" : m.getString(0)).append(" [");
        boolean first = true;
        for (int f = 2; f <= m.getMaxField(); f++) {
            if (!m.hasField(f)) {
                continue;
            }
            if (!first) {
                sb.append(' ');
            }
            first = false;
            sb.append(f).append('=');
            if (f == 2) {
                sb.append(CardData.maskPan(m.getString(2)));
            } else if (CardData.isHidden(f) || m.getComponent(f) instanceof org.jpos.iso.ISOBinaryField) {
                sb.append("<hidden>");
            } else {
                sb.append(m.getString(f));
            }
        }
        return sb.append(']').toString();
    }
}
