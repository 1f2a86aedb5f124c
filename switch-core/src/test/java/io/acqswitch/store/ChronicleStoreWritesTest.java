package io.acqswitch.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The Chronicle store's writes from a caller's reused buffer. */
class ChronicleStoreWritesTest {
    @Test
    void shouldStoreOnlyTheGivenBytesOfTheBufferAndReplaceThemLater() throws Exception {
        byte[] buffer = new byte[64];
        Path dir = Files.createTempDirectory("writes");
        try (var store = new ChronicleTransactionStore(dir, 100)) {
            int n = fill(buffer, "a longer first version");
            store.put("600000000001", buffer, n);
            assertArrayEquals(bytes("a longer first version"), store.get("600000000001"));

            n = fill(buffer, "shorter"); // the buffer reused: the stored copy must not follow it
            store.put("600000000002", buffer, n);
            n = fill(buffer, "second");
            store.put("600000000001", buffer, n);
            assertArrayEquals(bytes("second"), store.get("600000000001"), "replaced, and no longer");
            assertArrayEquals(bytes("shorter"), store.get("600000000002"));

            byte[] grown = new byte[128]; // a caller whose buffer grew hands over a new array
            n = fill(grown, "from the grown buffer");
            store.put("600000000003", grown, n);
            assertArrayEquals(bytes("from the grown buffer"), store.get("600000000003"));

            store.put("600000000002", bytes("a whole array, longer than before")); // the array put: same entry write
            assertArrayEquals(bytes("a whole array, longer than before"), store.get("600000000002"));
            store.put("600000000002", bytes("short"));
            assertArrayEquals(bytes("short"), store.get("600000000002"), "replaced, and no longer");
            assertArrayEquals(bytes("second"), store.get("600000000001"), "the buffer's entries untouched");
        }
        try (var store = new ChronicleTransactionStore(dir, 100)) {
            assertArrayEquals(bytes("second"), store.get("600000000001"), "persisted");
        }
    }

    @Test
    void shouldRefuseWithStoreFullWhenWritingFromABuffer() throws Exception {
        byte[] buffer = new byte[512];
        try (var store = new ChronicleTransactionStore(Files.createTempDirectory("full"), 100)) {
            assertThrows(StoreFullException.class, () -> {
                for (int i = 0; i < 1_000_000; i++) { // bounded: a store sized for 100 refuses long before
                    store.put(String.format("%012d", i), buffer, buffer.length);
                }
            });
        }
    }

    private static int fill(byte[] buffer, String text) {
        byte[] b = bytes(text);
        System.arraycopy(b, 0, buffer, 0, b.length);
        return b.length;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
