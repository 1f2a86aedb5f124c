package io.acqswitch.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;

/** Test bytes: hex literals and the shared ISO 8583 vectors. */
public final class Hex {
    private Hex() {}

    public static byte[] bytes(String hex) {
        return HexFormat.of().parseHex(hex.replaceAll("\\s", ""));
    }

    public static String of(byte[] b) {
        return HexFormat.of().withUpperCase().formatHex(b);
    }

    /** A vector from {@code shared/vectors} (beside the repository). */
    public static byte[] vector(String name) {
        Path dir = Path.of(System.getProperty("acqswitch.vectors.dir", "../../shared/vectors"));
        try {
            return bytes(Files.readString(dir.resolve(name)).trim());
        } catch (IOException e) {
            throw new UncheckedIOException("vector " + name + " not found under " + dir.toAbsolutePath(), e);
        }
    }
}
