package io.acqswitch.iso;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/** The wire dialects a listener can speak. The name is what configuration uses. */
public enum Dialect {
    /** ISO 8583:1987, binary bitmap, BCD numerics (jPOS {@code ISO87BPackager}), no header. */
    ISO87("iso87");

    private final String configName;

    Dialect(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
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
