package io.acqswitch.iso;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.acqswitch.sim.TerminalMessages;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.Test;

class CardDataTest {
    @Test
    void shouldMaskPanToFirstSixAndLastFour() {
        assertEquals("476173******0010", CardData.maskPan("4761739001010010"));
        assertEquals("622202*********0123", CardData.maskPan("6222020000000000123"));
        assertEquals("**********", CardData.maskPan("1234567890"));
    }

    @Test
    void shouldTakePanFromTrack2() {
        assertEquals("4761739001010010", CardData.panFromTrack2("4761739001010010=22122011143804400000"));
        assertEquals("4761739001010010", CardData.panFromTrack2("4761739001010010D22122011143804400000"));
    }

    @Test
    void shouldNeverShowCardDataInLogLinesOrRequestViews() {
        ISOMsg m = TerminalMessages.sale("4761739001010010", 1000, "000001", "TERM0001", "MERCHANT0000001");
        m.set(35, "4761739001010010=22122011143804400000");
        m.set(52, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        m.set(14, "2512");
        String line = IsoLog.describe(m);
        assertFalse(line.contains("4761739001010010"), line);
        assertFalse(line.contains("2212201114"), line);
        assertFalse(line.contains("2512"), line);
        assertTrue(line.contains("2=476173******0010"), line);
        assertTrue(line.contains("35=<hidden>") && line.contains("52=<hidden>"), line);
        String view = TerminalRequest.of(m, MessageClass.SALE, Dialect.ISO87).toString();
        assertFalse(view.contains("4761739001010010"), view);
        assertTrue(view.contains("476173******0010"), view);
    }
}
