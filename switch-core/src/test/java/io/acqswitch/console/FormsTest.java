package io.acqswitch.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the console reads from a browser: urlencoded and multipart forms; malformed ones are refused. */
class FormsTest {
    private static final String TYPE = "multipart/form-data; boundary=----b0undary";

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void shouldReadAnUrlencodedFormKeepingTheFirstOfARepeatedName() {
        assertEquals(Map.of("who", "alice smith", "note", "", "x", "é"),
                Forms.body("application/x-www-form-urlencoded", bytes("who=alice+smith&note=&who=mallory&x=%C3%A9")));
        assertThrows(IllegalArgumentException.class, () -> Forms.urlencoded("a=%G1"), "a bad %-escape");
        assertThrows(IllegalArgumentException.class, () -> Forms.body("application/json", bytes("{}")));
    }

    @Test
    void shouldReadAMultipartFormWithAFile() {
        String body = "------b0undary\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\ntok\r\n"
                + "------b0undary\r\nContent-Disposition: form-data; name=\"ledger\"; filename=\"l.csv\"\r\n"
                + "Content-Type: text/csv\r\n\r\nrrn,amount\r\n1,2\r\n\r\n------b0undary--\r\n";
        assertEquals(Map.of("csrf", "tok", "ledger", "rrn,amount\r\n1,2\r\n"), Forms.body(TYPE, bytes(body)));
    }

    @Test
    void shouldRefuseAMalformedMultipartForm() {
        assertThrows(IllegalArgumentException.class, () -> Forms.body("multipart/form-data", bytes("x")), "no boundary");
        assertThrows(IllegalArgumentException.class, () -> Forms.body(TYPE, bytes("no delimiter at all")));
        assertThrows(IllegalArgumentException.class, () -> Forms.body(TYPE,
                bytes("------b0undary\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\ncut short")), "no closing delimiter");
        assertThrows(IllegalArgumentException.class, () -> Forms.body(TYPE,
                bytes("------b0undary\r\nContent-Type: text/plain\r\n\r\nx\r\n------b0undary--")), "a part without a name");
    }

    @Test
    void shouldMaskACardNumberTypedAsFreeTextButKeepAnRrn() {
        assertEquals("alice: paid by 476173******0010, rrn 633900001000",
                Console.masked("alice: paid by 4761739001010010, rrn 633900001000"));
        assertEquals(null, Console.masked(null));
    }
}
