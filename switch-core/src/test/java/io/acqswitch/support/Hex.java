package io.acqswitch.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/** Test bytes: hex literals and the ISO 8583 vectors of the test resources ({@code vectors/}, provenance in its README.md). */
public final class Hex {
    private static final String VECTORS = "vectors/";

    private Hex() {}

    public static byte[] bytes(String hex) {
        return HexFormat.of().parseHex(hex.replaceAll("\\s", ""));
    }

    public static String of(byte[] b) {
        return HexFormat.of().withUpperCase().formatHex(b);
    }

    /** The key that two components of equal length form: their bytes XORed. */
    public static byte[] xor(String a, String b) {
        byte[] x = bytes(a);
        byte[] y = bytes(b);
        for (int i = 0; i < x.length; i++) {
            x[i] ^= y[i];
        }
        return x;
    }

    /**
     * The bytes of test resource {@code vectors/<name>} (one line of hex).
     *
     * @throws IllegalArgumentException naming the resource when it is not on the test classpath
     */
    public static byte[] vector(String name) {
        String resource = VECTORS + name;
        try (InputStream in = Hex.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("test resource " + resource + " not found on the classpath (src/test/resources/" + resource + ")");
            }
            return bytes(new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim());
        } catch (IOException e) {
            throw new UncheckedIOException("test resource " + resource + " unreadable", e);
        }
    }
}
