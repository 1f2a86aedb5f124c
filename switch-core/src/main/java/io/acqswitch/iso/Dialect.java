package io.acqswitch.iso;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/** The wire dialects a listener can speak. The name is what configuration uses. */
public enum Dialect {
    /** ISO 8583:1987, binary bitmap, BCD numerics (jPOS {@code ISO87BPackager}), no header. */
    ISO87("iso87", 0, ResponseCode.RESPONSE_TOO_LATE),
    /**
     * UnionPay POS (docs/wire.md, "UnionPay (银联) POS dialect: `cup`"): a 5-byte TPDU and a 6-byte header before the BCD MTI; fields 2–64
     * as {@code packagers/cup.xml} defines them; an issuer timeout is answered 98.
     */
    CUP("cup", CupHeader.LENGTH, ResponseCode.ISSUER_TIMEOUT_CUP);

    private final String configName;
    private final int headerLength;
    private final String timeoutCode;

    Dialect(String configName, int headerLength, String timeoutCode) {
        this.configName = configName;
        this.headerLength = headerLength;
        this.timeoutCode = timeoutCode;
    }

    public String configName() {
        return configName;
    }

    /** Bytes between the length prefix and the MTI (kept as the message's jPOS header), 0 for none. */
    public int headerLength() {
        return headerLength;
    }

    /** Field 39 of the terminal's answer when its issuer did not answer in time. */
    public String timeoutCode() {
        return timeoutCode;
    }

    /** Looks a dialect up by its configuration name. */
    public static Optional<Dialect> byName(String name) {
        return Arrays.stream(values()).filter(d -> d.configName.equals(name)).findFirst();
    }

    /** The configuration names, for error messages. */
    public static String names() {
        return Arrays.stream(values()).map(Dialect::configName).collect(Collectors.joining(", "));
    }
}
