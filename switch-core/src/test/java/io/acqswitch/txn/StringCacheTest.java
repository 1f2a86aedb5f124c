package io.acqswitch.txn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class StringCacheTest {
    private static String get(StringCache cache, String value) {
        byte[] framed = ("xx" + value + "yy").getBytes(StandardCharsets.UTF_8);
        return cache.get(framed, 2, framed.length - 4);
    }

    @Test
    void shouldGiveTheSameStringForTheSameBytesAndTheRightOneWhenSlotsAreShared() {
        StringCache cache = new StringCache();
        String first = get(cache, "TERM0001");
        assertSame(first, get(cache, "TERM0001"));
        for (int i = 0; i < 5000; i++) { // far more values than slots: every slot is taken over many times
            String v = "T" + i;
            assertEquals(v, get(cache, v));
        }
        assertEquals("TERM0001", get(cache, "TERM0001"));
        assertEquals("Café Zürich", get(cache, "Café Zürich"), "UTF-8");
        assertEquals("", get(cache, ""));
    }
}
