package io.acqswitch.iso;

import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/** Field 7, transmission date and time, {@code MMddHHmmss} in UTC. */
public final class TransmissionTime {
    private static final DateTimeFormatter F7 = DateTimeFormatter.ofPattern("MMddHHmmss");

    private TransmissionTime() {}

    public static String now() {
        return ZonedDateTime.now(ZoneOffset.UTC).format(F7);
    }
}
