package io.acqswitch.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.acqswitch.iso.CardData;
import io.acqswitch.txn.TxnRecord;
import io.acqswitch.txn.TxnState;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The normaliser alone: every value it hands to SQL fits its column, holds no NUL or control character, and no full PAN. */
class JournalValuesTest {
    private static JournalValues.Tally tally() {
        return new JournalValues.Tally();
    }

    @Test
    void shouldReplaceNulsAndControlCharactersVisibly() {
        JournalValues.Tally t = tally();
        assertEquals("\uFFFD\uFFFD\uFFFD", JournalValues.text(JournalValues.Column.CURRENCY, "\0\0\0", t));
        assertEquals(3, t.count(JournalValues.Fix.BAD_CHARACTER));
        assertEquals("a\uFFFDb\uFFFDc\uFFFDd\uFFFD", JournalValues.text(JournalValues.Column.FLAG, "a\nb\u001bc\u007fd\u0085", t));
        assertEquals(7, t.count(JournalValues.Fix.BAD_CHARACTER));
    }

    @Test
    void shouldReplaceUnpairedSurrogatesAndKeepPairs() {
        JournalValues.Tally t = tally();
        assertEquals("x\uFFFDy\uFFFD", JournalValues.text(JournalValues.Column.FLAG, "x\uD800y\uDC00", t));
        assertEquals("\uD83D\uDE00ok", JournalValues.text(JournalValues.Column.FLAG, "\uD83D\uDE00ok", t), "an emoji is text");
        assertEquals(2, t.count(JournalValues.Fix.BAD_CHARACTER));
    }

    @Test
    void shouldReturnAFitValueAsItIs() {
        JournalValues.Tally t = tally();
        String tid = "TERM0001";
        assertSame(tid, JournalValues.text(JournalValues.Column.TERMINAL_ID, tid, t), "no copy on the writer's hot path");
        assertEquals("", JournalValues.text(JournalValues.Column.AUTH_CODE, null, t), "NOT NULL columns get empty");
        assertEquals(0, t.total());
    }

    @Test
    void shouldCutAValueLongerThanItsColumnWithAMarker() {
        JournalValues.Tally t = tally();
        assertEquals("84\u2026", JournalValues.text(JournalValues.Column.CURRENCY, "8400", t));
        assertEquals("TERM0001TERM000\u2026", JournalValues.text(JournalValues.Column.TERMINAL_ID, "TERM0001TERM0001X", t));
        String flag = JournalValues.text(JournalValues.Column.FLAG, "n".repeat(5000), t);
        assertEquals(4096, flag.length());
        assertTrue(flag.endsWith("\u2026"));
        assertEquals(3, t.count(JournalValues.Fix.TOO_LONG));
        // never half a surrogate pair at the cut
        assertEquals("1234\u2026", JournalValues.text(JournalValues.Column.BATCH, "1234\uD83D\uDE00x", t));
        assertEquals(4, t.count(JournalValues.Fix.TOO_LONG));
    }

    @Test
    void shouldShortenAMaskedPanOver19CharactersKeepingFirst6AndLast4() {
        JournalValues.Tally t = tally();
        String masked23 = CardData.maskPan("47617390010100101234567"); // a 23-digit "PAN" from track 2
        assertEquals(23, masked23.length());
        String fit = JournalValues.maskedPan(masked23, t);
        assertEquals("476173\u2026********4567", fit);
        assertEquals(19, fit.length());
        assertEquals(1, t.count(JournalValues.Fix.TOO_LONG));
        assertEquals("476173*******4567", JournalValues.maskedPan("476173*******4567", t), "19 and under: as is");
    }

    @Test
    void shouldMaskAFullPanAgainAndKeepOnlyDigitsAndStars() {
        JournalValues.Tally t = tally();
        assertEquals("476173******0010", JournalValues.maskedPan("4761739001010010", t));
        assertEquals("476173\u2026********4567", JournalValues.maskedPan("47617390010100101234567", t),
                "a full 23-digit PAN: masked, then shortened");
        assertEquals(2, t.count(JournalValues.Fix.UNMASKED_PAN));
        assertEquals("476173\uFFFD\uFFFD0010", JournalValues.maskedPan("476173\0x0010", t));
        assertFalse(JournalValues.maskedPan("4761 7390 0101 0010", t).contains("9001"));
    }

    @Test
    void shouldDropTimesNoColumnCanHold() {
        JournalValues.Tally t = tally();
        assertNull(JournalValues.time(0, t), "0 is never happened: not a fix");
        assertEquals(0, t.total());
        assertNull(JournalValues.time(-1, t));
        assertNull(JournalValues.time(Long.MAX_VALUE, t));
        assertNull(JournalValues.time(JournalValues.MAX_TIME + 1, t));
        assertEquals(3, t.count(JournalValues.Fix.BAD_TIME));
        assertEquals(1_700_000_000_000L, JournalValues.time(1_700_000_000_000L, t).toInstant().toEpochMilli());
    }

    @Test
    void shouldGiveAnEventWithAnImpossibleTimeTheTimeTheWriterSawIt() {
        TxnRecord r = new TxnRecord();
        r.rrn = "000000000001";
        r.state = TxnState.RECEIVED;
        r.receivedAt = Long.MAX_VALUE;
        JournalValues.Tally t = tally();
        StringBuilder steps = new StringBuilder();
        Steps.append(steps, new JournalDb.Change(r, 1_700_000_000_000L), t);
        List<JournalQueries.Event> events = new ArrayList<>();
        Steps.parse(steps.toString(), events);
        assertEquals(1, events.size(), steps.toString());
        assertEquals(1_700_000_000_000L, events.getFirst().at().toEpochMilli());
        assertEquals(1, t.count(JournalValues.Fix.BAD_TIME));
    }

    @Test
    void shouldTellDataErrorsFromOutages() {
        assertTrue(JournalValues.isDataError(new SQLException("value too long", "22001")));
        assertTrue(JournalValues.isDataError(new SQLException("invalid byte sequence for encoding UTF8: 0x00", "22021")));
        assertTrue(JournalValues.isDataError(new SQLException("check constraint", "23514")));
        BatchUpdateException batch = new BatchUpdateException("batch entry 0 failed", "08006", new int[0]);
        batch.setNextException(new SQLException("value too long", "22001"));
        assertTrue(JournalValues.isDataError(batch), "PostgreSQL puts the real error in the next exception");
        assertFalse(JournalValues.isDataError(new SQLException("connection refused", "08001")));
        assertFalse(JournalValues.isDataError(new SQLException("disk full", "53100")));
        assertFalse(JournalValues.isDataError(new SQLException("General error", "HY000")));
    }

    @Test
    void shouldMaskPanLikeDigitRunsInAReasonButTheRecordsOwnRrn() {
        String reason = JournalValues.reason(new SQLException("Value too long for column: '4761739001010010\0' rrn 000000000042",
                "22001"), "000000000042", 1000);
        assertFalse(reason.contains("4761739001010010"), reason);
        assertTrue(reason.contains("476173******0010"), reason);
        assertTrue(reason.contains("000000000042"), reason);
        assertTrue(reason.contains("SQLState 22001"), reason);
        assertTrue(reason.contains("\\u0000"), "NUL spelled out in ASCII: " + reason);
        assertTrue(reason.chars().allMatch(c -> c >= 0x20 && c < 0x7f), reason);
    }

    @Test
    void shouldKeepEveryColumnWidthAsTheSchemaScriptsCreateIt() throws Exception {
        JournalDb db = new JournalDb("jdbc:h2:mem:jv;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1", "sa", "");
        try (Connection c = db.connect()) {
            db.migrate(c);
            Map<String, Integer> widths = new HashMap<>();
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT column_name,"
                    + " character_maximum_length FROM information_schema.columns WHERE table_name = 'transactions'"
                    + " AND character_maximum_length IS NOT NULL"
                    + " AND column_name NOT IN ('steps', 'request_fields', 'answer_fields')")) { // checked below
                while (rs.next()) {
                    widths.put(rs.getString(1).toLowerCase(), rs.getInt(2));
                }
            }
            for (JournalValues.Column col : JournalValues.Column.values()) {
                assertEquals(widths.get(col.columnName()), col.width(), col.columnName());
            }
            assertEquals(JournalValues.Column.values().length, widths.size(), "every text column is listed: " + widths);
            for (String messages : List.of("request_fields", "answer_fields")) {
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT character_maximum_length"
                        + " FROM information_schema.columns WHERE table_name = 'transactions' AND column_name = '"
                        + messages + "'")) {
                    assertTrue(rs.next());
                    assertEquals(JournalValues.FIELDS_WIDTH, rs.getInt(1), "transactions." + messages);
                }
            }
        }
    }

    @Test
    void shouldKeepAMessagesLinesAndMaskACardNumberHiddenInAnyField() {
        JournalValues.Tally t = tally();
        String text = "0=0200\n2=476173******0010\n4=000000001000\n43=SHOP 4761739001010010 X\n90="
                + "0200000001" + "1".repeat(32) + "\n102=\u0000ACCT";
        String fixed = JournalValues.fields(text, t);
        assertEquals("0=0200\n2=476173******0010\n4=000000001000\n43=SHOP 476173******0010 X\n90=0200000001"
                + "1".repeat(32) + "\n102=\uFFFDACCT", fixed, "a 12-digit amount and a 42-digit field 90 are not card numbers");
        assertEquals(1, t.count(JournalValues.Fix.UNMASKED_PAN));
        assertEquals(1, t.count(JournalValues.Fix.BAD_CHARACTER));
        String longText = "0=0200\n43=" + "A".repeat(5000);
        assertEquals(JournalValues.FIELDS_WIDTH, JournalValues.fields(longText, t).length());
    }

    @Test
    void shouldPassPlainMessageTextAsItIsAndStillCatchACardNumberAtALinesOrTheTextsEnd() {
        JournalValues.Tally t = tally();
        String plain = "0=0200\n2=476173******0010\n4=000000001000\n37=000000123456\n43=SHOP 1";
        assertSame(plain, JournalValues.fields(plain, t), "nothing to fix: the same string, nothing allocated");
        assertEquals(0, t.total());
        assertEquals("0=0200\n48=476173******0010", JournalValues.fields("0=0200\n48=4761739001010010", t));
        assertEquals("0=0200\n48=476173******0010\n49=978",
                JournalValues.fields("0=0200\n48=4761739001010010\n49=978", t));
        assertEquals("0=0200\n48=476173***1010\u2026", JournalValues.fields("0=0200\n48=4761739001010" + "\u2026", t),
                "13 digits then a non-digit: masked as a card number would be");
        assertEquals(3, t.count(JournalValues.Fix.UNMASKED_PAN));
    }
}
