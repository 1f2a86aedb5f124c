package io.acqswitch.iso;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.acqswitch.sim.TerminalMessages;
import java.util.List;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.Test;

/** What a log line may show of a terminal's message: control characters escaped, private fields by length only. */
class IsoLogTest {
    private static final String PAN = "4761739001010010";
    private static final String TRACK2 = PAN + "=22122011143804400000";

    @Test
    void shouldEscapeALineFeedInField41SoItCannotForgeALogLine() {
        ISOMsg m = TerminalMessages.sale(PAN, 1000, "000001", "T\nFORGED", "MERCHANT\r000001");
        String line = IsoLog.describe(m);
        assertFalse(line.contains("\n") || line.contains("\r"), line);
        assertTrue(line.contains("41=T\\nFORGED"), line);
        assertTrue(line.contains("42=MERCHANT\\r000001"), line);
        String view = TerminalRequest.of(m, MessageClass.SALE, Dialect.ISO87).toString();
        assertFalse(view.contains("\n") || view.contains("\r"), view);
        assertTrue(view.contains("tid=T\\nFORGED"), view);
    }

    @Test
    void shouldShowField48AndEveryOtherPrivateFieldByLengthOnly() {
        ISOMsg m = TerminalMessages.sale(PAN, 1000, "000002", "TERM0001", "MERCHANT0000001");
        m.set(48, TRACK2);
        for (int f : new int[] {60, 61, 62, 63, 120, 121, 122, 123, 124, 125, 126, 127}) {
            m.set(f, "CARD" + PAN);
        }
        String line = IsoLog.describe(m);
        assertFalse(line.contains(PAN), line);
        assertFalse(line.contains("2212201114"), line);
        assertTrue(line.contains("48=<" + TRACK2.length() + " chars>"), line);
        for (int f : new int[] {60, 61, 62, 63, 120, 121, 122, 123, 124, 125, 126, 127}) {
            assertTrue(line.contains(" " + f + "=<20 chars>"), f + " in " + line);
        }
    }

    @Test
    void shouldMaskThePanAndHideEverySensitiveField() {
        ISOMsg m = TerminalMessages.sale(PAN, 1000, "000003", "TERM0001", "MERCHANT0000001");
        m.set(14, "2512");
        m.set(35, TRACK2);
        m.set(36, "B" + PAN + "^CARDHOLDER/JOHN^2212");
        m.set(45, "B" + PAN + "^CARDHOLDER/JOHN^2212");
        m.set(52, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        m.set(55, new byte[] {0x5a, 0x08, 0x47, 0x61});
        String line = IsoLog.describe(m);
        assertTrue(line.contains("2=476173******0010"), line);
        for (int f : new int[] {14, 35, 36, 45, 52, 55}) {
            assertTrue(line.contains(" " + f + "=<hidden>"), f + " in " + line);
        }
        assertFalse(line.contains(PAN) || line.contains("2512") || line.contains("JOHN"), line);
    }

    @Test
    void shouldCutAFieldLongerThanALogLineNeeds() {
        ISOMsg m = TerminalMessages.sale(PAN, 1000, "000004", "TERM0001", "MERCHANT0000001");
        m.set(43, "A".repeat(999));
        String line = IsoLog.describe(m);
        assertTrue(line.contains("43=" + "A".repeat(120) + "…(+879)"), line);
        assertEquals(-1, line.indexOf("A".repeat(121)));
    }

    @Test
    void shouldListEveryFieldOnALineOfItsOwnMaskedWithTheHiddenOnesByLength() {
        ISOMsg m = TerminalMessages.sale(PAN, 1000, "000005", "TERM\n0001", "MERCHANT0000001");
        m.set(35, TRACK2);
        m.set(45, "B" + PAN + "^CARDHOLDER/JOHN^2212");
        m.set(48, "TOTALS" + PAN);
        m.set(52, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        m.set(55, new byte[] {0x5a, 0x08, 0x47, 0x61});
        m.set(64, new byte[] {9, 9, 9, 9, 9, 9, 9, 9});
        String[] lines = IsoLog.fields(m).split("\n");
        assertEquals("0=0200", lines[0]);
        List<String> list = List.of(lines);
        assertTrue(list.contains("2=476173******0010"), list.toString());
        assertTrue(list.contains("22=021") && list.contains("25=00"), list.toString());
        assertTrue(list.contains("41=TERM\\n0001"), "a line feed in a value is escaped, not a new line: " + list);
        assertTrue(list.contains("35=<hidden, " + TRACK2.length() + " chars>"), list.toString());
        assertTrue(list.contains("52=<hidden, 8 bytes>") && list.contains("55=<hidden, 4 bytes>")
                && list.contains("64=<hidden, 8 bytes>"), list.toString());
        assertTrue(list.contains("48=<22 chars>"), list.toString());
        String all = String.join("\n", list);
        assertFalse(all.contains(PAN) || all.contains("2212201114") || all.contains("JOHN"), all);
    }
}
