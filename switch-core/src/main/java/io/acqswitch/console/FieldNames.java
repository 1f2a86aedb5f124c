package io.acqswitch.console;

import java.util.Map;

/** Short names of the ISO 8583:1987 fields a POS message carries, for the transaction page. */
final class FieldNames {
    private static final Map<String, String> NAMES = Map.ofEntries(
            Map.entry("2", "PAN (masked)"), Map.entry("3", "processing code"), Map.entry("4", "amount (minor units)"),
            Map.entry("7", "transmission date-time"), Map.entry("11", "STAN"), Map.entry("12", "local time"),
            Map.entry("13", "local date"), Map.entry("14", "expiry date"), Map.entry("15", "settlement date"),
            Map.entry("18", "merchant category"), Map.entry("22", "POS entry mode"), Map.entry("23", "card sequence number"),
            Map.entry("25", "POS condition code"), Map.entry("26", "PIN capture code"), Map.entry("32", "acquiring institution"),
            Map.entry("33", "forwarding institution"), Map.entry("35", "track 2"), Map.entry("36", "track 3"),
            Map.entry("37", "RRN"), Map.entry("38", "authorization code"), Map.entry("39", "response code"),
            Map.entry("41", "terminal id"), Map.entry("42", "merchant id"), Map.entry("43", "merchant name/location"),
            Map.entry("44", "additional response data"), Map.entry("45", "track 1"), Map.entry("48", "additional data (private)"),
            Map.entry("49", "currency"), Map.entry("52", "PIN block"), Map.entry("53", "security control"),
            Map.entry("54", "additional amounts"), Map.entry("55", "ICC data"), Map.entry("60", "private use"),
            Map.entry("61", "private use"), Map.entry("62", "private use"), Map.entry("63", "private use"),
            Map.entry("64", "MAC"), Map.entry("70", "network management code"), Map.entry("90", "original data elements"),
            Map.entry("128", "MAC"));

    private FieldNames() {}

    /** The field's name, or "" for one not listed. */
    static String of(String number) {
        return NAMES.getOrDefault(number, "");
    }
}
