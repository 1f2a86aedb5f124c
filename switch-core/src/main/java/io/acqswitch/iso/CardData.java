package io.acqswitch.iso;

import java.util.Set;

/**
 * Masking rules for card data. A PAN shows its first 6 and last 4 digits; track data, PIN blocks,
 * ICC data, CVV and MAC fields are never shown at all.
 */
public final class CardData {
    /** Fields that are never printed, not even masked: PAN handled separately. */
    private static final Set<Integer> HIDDEN = Set.of(14, 35, 36, 45, 52, 55, 64, 128);

    private CardData() {}

    /** First 6 + asterisks + last 4; PANs shorter than 11 digits are fully masked. Null-safe. */
    public static String maskPan(String pan) {
        if (pan == null || pan.isEmpty()) {
            return "";
        }
        int n = pan.length();
        if (n < 11) {
            return "*".repeat(n);
        }
        return pan.substring(0, 6) + "*".repeat(n - 10) + pan.substring(n - 4);
    }

    /** The PAN carried in field 2, or failing that the digits before the separator of track 2. */
    public static String panFromTrack2(String track2) {
        if (track2 == null) {
            return null;
        }
        int sep = 0;
        while (sep < track2.length() && Character.isDigit(track2.charAt(sep))) {
            sep++;
        }
        return sep == 0 ? null : track2.substring(0, sep);
    }

    /** True for fields whose content must never appear in logs, the journal or an API. */
    public static boolean isHidden(int field) {
        return HIDDEN.contains(field);
    }
}
