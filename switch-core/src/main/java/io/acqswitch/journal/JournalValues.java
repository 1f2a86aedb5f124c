package io.acqswitch.journal;

import io.acqswitch.iso.CardData;
import io.acqswitch.txn.TxnRecord;
import java.sql.BatchUpdateException;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one place where a record's values are made fit for the journal's columns, on H2 and on
 * PostgreSQL alike: {@link JournalDb} binds only the rows built here. A value the database would
 * refuse is fixed, never passed through, so that one odd transaction cannot fail a batch:
 *
 * <ul>
 *   <li>NUL, other control characters (C0, DEL, C1) and unpaired surrogates become
 *       {@link #REPLACED}: PostgreSQL refuses NUL in text ("invalid byte sequence 0x00"), and a
 *       control character in a look-up or CSV is a trap;
 *   <li>a value longer than its column ({@link Column}, the widths of the schema scripts) is cut
 *       and ends in {@link #CUT}; a masked PAN keeps its first 6 and last 4 (what look-ups match)
 *       and loses stars instead; it may hold digits and {@code *} only;
 *   <li>anything in the masked PAN column with more than 10 digits is masked again (first 6 +
 *       last 4): a full PAN never reaches the journal;
 *   <li>a timestamp outside year 1970 … 9999 is stored as NULL (an event's time as when the writer
 *       saw it).
 * </ul>
 *
 * Every fix is counted in a {@link Tally}; the writer adds a committed row's fixes to
 * {@code switch_journal_values_normalised_total{reason}}. A value that needs no fix is returned as
 * is (no allocation: the writer runs for every change). Stateless, thread-safe.
 */
final class JournalValues {
    /** Ends a value cut to fit its column: visible in every look-up and API answer. */
    static final char CUT = '\u2026';
    /** Stands for a character the column must not hold: NUL, a control character, an unpaired surrogate. */
    static final char REPLACED = '\uFFFD';
    /** The latest instant stored: both databases take it, and no record time can be later. */
    static final long MAX_TIME = Instant.parse("9999-12-31T23:59:59.999Z").toEpochMilli();

    private static final Pattern DIGIT_RUN = Pattern.compile("\\d{12,}");
    /** A run of 13 to 19 digits standing alone: as long as a card number. */
    private static final Pattern CARD_LENGTH_RUN = Pattern.compile("(?<!\\d)\\d{13,19}(?!\\d)");
    /** Width of {@code transactions.request_fields} and {@code answer_fields} (V9; {@code transaction_messages.fields} before). */
    static final int FIELDS_WIDTH = 4000;

    private JournalValues() {}

    /** Why a value was changed; the {@code reason} tag of {@code switch_journal_values_normalised_total}. */
    enum Fix {
        /** Longer than its column: cut, ending in {@link #CUT}. */
        TOO_LONG("too_long"),
        /** NUL, control character, unpaired surrogate, or a non-PAN character in the masked PAN: replaced. */
        BAD_CHARACTER("bad_character"),
        /** More than 10 digits in the masked PAN column: masked again. */
        UNMASKED_PAN("unmasked_pan"),
        /** A timestamp before 1970 or after 9999: stored as NULL (an event: when the writer saw it). */
        BAD_TIME("bad_time");

        private final String tag;

        Fix(String tag) {
            this.tag = tag;
        }

        String tag() {
            return tag;
        }
    }

    /** Fixes applied while building rows, by kind. Not thread-safe: one per write attempt. */
    static final class Tally {
        private final int[] counts = new int[Fix.values().length];

        void add(Fix fix) {
            counts[fix.ordinal()]++;
        }

        int count(Fix fix) {
            return counts[fix.ordinal()];
        }

        int total() {
            int n = 0;
            for (int c : counts) {
                n += c;
            }
            return n;
        }
    }

    /**
     * The text columns and their widths, as the schema scripts create them ({@code JournalValuesTest}
     * checks every width against a migrated database: a script that changes one must change it here).
     */
    enum Column {
        RRN("rrn", 32),
        STATE("state", 20),
        MESSAGE_CLASS("message_class", 24),
        MTI("mti", 4),
        PROCESSING_CODE("processing_code", 6),
        TERMINAL_ID("terminal_id", 16),
        MERCHANT_ID("merchant_id", 15),
        TERMINAL_STAN("terminal_stan", 6),
        MASKED_PAN("masked_pan", 19),
        CURRENCY("currency", 3),
        ISSUER("issuer", 64),
        RESPONSE_CODE("response_code", 2),
        AUTH_CODE("auth_code", 6),
        REVERSAL_REASON("reversal_reason", 64),
        ORIGINAL_RRN("original_rrn", 32),
        BATCH("batch", 6),
        FLAG("flag", 4096);

        private final String name;
        private final int width;

        Column(String name, int width) {
            this.name = name;
            this.width = width;
        }

        String columnName() {
            return name;
        }

        int width() {
            return width;
        }
    }

    /**
     * One {@code transactions} row, every value fit for its column. Timestamps: {@code null} = SQL
     * NULL. {@code steps}: the lines this write appends to the row's history ({@link Steps});
     * {@code requestFields}, {@code answerFields}: the messages' masked text, or {@code null} when
     * this write brings none (the row keeps what it has).
     */
    record TxnRow(String rrn, long seq, String state, String messageClass, String mti, String processingCode,
            String terminalId, String merchantId, String terminalStan, String maskedPan, long amount, String currency,
            String issuer, String responseCode, String authCode, boolean delivered, String reversalReason,
            int safAttempts, boolean safExpired, OffsetDateTime receivedAt, OffsetDateTime forwardedAt,
            OffsetDateTime completedAt, OffsetDateTime reversedAt, OffsetDateTime journaledAt, String originalRrn,
            String batch, String flag, int duplicates, OffsetDateTime lastDuplicateAt, String steps,
            String requestFields, String answerFields) {}

    /** The {@code transactions} row of {@code ch} alone, journaled at {@code now}: its one step, no messages. */
    static TxnRow txn(JournalDb.Change ch, long now, Tally tally) {
        StringBuilder steps = new StringBuilder(64);
        Steps.append(steps, ch, tally);
        return txn(ch, now, steps.toString(), null, null, tally);
    }

    /**
     * The {@code transactions} row at {@code latest}, journaled at {@code now}, appending
     * {@code steps} (already fit: {@link Steps#append}) and bringing the messages' text when not
     * null (fitted here: {@link #fields}).
     */
    static TxnRow txn(JournalDb.Change latest, long now, String steps, String request, String answer, Tally tally) {
        TxnRecord r = latest.record();
        return new TxnRow(text(Column.RRN, r.rrn, tally), latest.seq(), text(Column.STATE, r.state.name(), tally),
                text(Column.MESSAGE_CLASS, r.messageClass.name(), tally), text(Column.MTI, r.mti, tally),
                text(Column.PROCESSING_CODE, r.processingCode, tally), text(Column.TERMINAL_ID, r.terminalId, tally),
                text(Column.MERCHANT_ID, r.merchantId, tally), text(Column.TERMINAL_STAN, r.terminalStan, tally),
                maskedPan(r.maskedPan, tally), r.amount, text(Column.CURRENCY, r.currency, tally),
                text(Column.ISSUER, r.issuerId, tally), text(Column.RESPONSE_CODE, r.responseCode, tally),
                text(Column.AUTH_CODE, r.authCode, tally), r.delivered,
                text(Column.REVERSAL_REASON, r.reversalReason, tally), r.safAttempts, r.safExpired,
                time(r.receivedAt, tally), time(r.forwardedAt, tally), time(r.completedAt, tally),
                time(r.reversedAt, tally), utc(now), text(Column.ORIGINAL_RRN, r.originalRrn, tally),
                text(Column.BATCH, r.batch, tally), text(Column.FLAG, r.flag, tally), r.duplicates,
                time(r.lastDuplicateAt, tally), steps, request == null ? null : fields(request, tally),
                answer == null ? null : fields(answer, tally));
    }

    /**
     * A message's text ({@code number=value} lines) fit for {@code transactions.request_fields} and {@code answer_fields}: in
     * each line, bad characters replaced as in any column, and any run of 13 to 19 digits masked
     * (first 6 + last 4, counted as an unmasked PAN) in case a card number hides in a field that is
     * not known to hold one; cut to {@link #FIELDS_WIDTH}. The line breaks are kept.
     */
    static String fields(String text, Tally tally) {
        if (text.length() <= FIELDS_WIDTH && plainLines(text)) {
            return text; // the usual case: nothing to fix, nothing allocated
        }
        StringBuilder out = new StringBuilder(text.length());
        int start = 0;
        while (start <= text.length()) {
            int end = text.indexOf('\n', start);
            if (end < 0) {
                end = text.length();
            }
            String line = characters(text.substring(start, end), false, tally);
            Matcher m = CARD_LENGTH_RUN.matcher(line);
            if (m.find()) {
                StringBuilder masked = new StringBuilder();
                do {
                    tally.add(Fix.UNMASKED_PAN);
                    m.appendReplacement(masked, CardData.maskPan(m.group()));
                } while (m.find());
                line = m.appendTail(masked).toString();
            }
            out.append(start == 0 ? "" : "\n").append(line);
            start = end + 1;
        }
        return cut(out.toString(), FIELDS_WIDTH, tally);
    }

    /**
     * Whether {@code text} needs no fix as message text: no character a column must not hold but
     * its line breaks, and no run of 13 to 19 digits (one scan, instead of {@link #fields}' per-line
     * pattern matching).
     */
    private static boolean plainLines(String text) {
        int run = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (isDigit(c)) {
                run++;
                continue;
            }
            if (run >= 13 && run <= 19 || c != '\n' && isBad(text, i, false)) {
                return false;
            }
            run = 0;
        }
        return run < 13 || run > 19;
    }

    /** The key a record has in the journal (look-ups of what the journal holds use it too). */
    static String rrn(String rrn) {
        return text(Column.RRN, rrn, new Tally());
    }

    /**
     * {@code value} fit for {@code column}: {@code null} as empty, bad characters replaced, cut to
     * the column's width ending in {@link #CUT}.
     */
    static String text(Column column, String value, Tally tally) {
        if (column == Column.MASKED_PAN) {
            return maskedPan(value, tally);
        }
        String s = characters(value, false, tally);
        return cut(s, column.width(), tally);
    }

    /**
     * A masked PAN fit for its column: more than 10 digits masked again (first 6 + last 4), any
     * character but digits and {@code *} replaced, and a value longer than 19 (the PAN of a card
     * number over 19 digits) shortened in the middle, keeping first 6 and last 4: {@code 476173…********4567}.
     */
    static String maskedPan(String value, Tally tally) {
        if (value == null || value.isEmpty()) {
            return "";
        }
        int digits = 0;
        for (int i = 0; i < value.length(); i++) {
            digits += isDigit(value.charAt(i)) ? 1 : 0;
        }
        String s = value;
        if (digits > 10) {
            tally.add(Fix.UNMASKED_PAN);
            StringBuilder only = new StringBuilder(digits);
            for (int i = 0; i < value.length(); i++) {
                if (isDigit(value.charAt(i))) {
                    only.append(value.charAt(i));
                }
            }
            s = CardData.maskPan(only.toString());
        }
        s = characters(s, true, tally);
        int width = Column.MASKED_PAN.width();
        if (s.length() <= width) {
            return s;
        }
        tally.add(Fix.TOO_LONG);
        return s.substring(0, 6) + CUT + "*".repeat(width - 11) + s.substring(s.length() - 4);
    }

    /**
     * A timestamp column: {@code null} (SQL NULL) for 0, "never happened"; also {@code null}, and
     * counted, for anything before 1970 or after {@link #MAX_TIME}.
     */
    static OffsetDateTime time(long epochMillis, Tally tally) {
        if (epochMillis == 0) {
            return null;
        }
        if (!isTime(epochMillis)) {
            tally.add(Fix.BAD_TIME);
            return null;
        }
        return utc(epochMillis);
    }

    static boolean isTime(long epochMillis) {
        return epochMillis > 0 && epochMillis <= MAX_TIME;
    }

    static OffsetDateTime utc(long epochMillis) {
        return Instant.ofEpochMilli(epochMillis).atOffset(ZoneOffset.UTC);
    }

    /**
     * {@code s} with every character a column must not hold replaced by {@link #REPLACED}: control
     * characters (NUL included), unpaired surrogates and, for a masked PAN, anything but digits and {@code *}.
     */
    private static String characters(String value, boolean pan, Tally tally) {
        if (value == null) {
            return "";
        }
        int first = firstBad(value, pan);
        if (first < 0) {
            return value;
        }
        StringBuilder out = new StringBuilder(value.length()).append(value, 0, first);
        for (int i = first; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))
                    && !pan) {
                out.append(c).append(value.charAt(++i));
            } else if (isBad(value, i, pan)) {
                tally.add(Fix.BAD_CHARACTER);
                out.append(REPLACED);
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static int firstBad(String s, boolean pan) {
        for (int i = 0; i < s.length(); i++) {
            if (isBad(s, i, pan)) {
                return i;
            }
        }
        return -1;
    }

    /** Whether the char at {@code i} must be replaced (a well-formed surrogate pair is kept, outside a PAN). */
    private static boolean isBad(String s, int i, boolean pan) {
        char c = s.charAt(i);
        if (pan) {
            return !(isDigit(c) || c == '*' || c == CUT || c == REPLACED);
        }
        if (Character.isISOControl(c)) {
            return true;
        }
        if (Character.isHighSurrogate(c)) {
            return i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1));
        }
        if (Character.isLowSurrogate(c)) {
            return i == 0 || !Character.isHighSurrogate(s.charAt(i - 1));
        }
        return false;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** {@code s} cut to {@code width} chars ending in {@link #CUT} (counted), never splitting a surrogate pair. */
    private static String cut(String s, int width, Tally tally) {
        if (s.length() <= width) {
            return s;
        }
        tally.add(Fix.TOO_LONG);
        return cutPlain(s, width);
    }

    private static String cutPlain(String s, int width) {
        int end = width - 1;
        if (end > 0 && Character.isHighSurrogate(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(0, end) + CUT;
    }

    /**
     * {@code s} in printable ASCII only (anything else as {@code \}{@code uXXXX}, a backslash as
     * two), at most {@code width} characters ending in {@code ...} when cut: text for the quarantine
     * table, its fallback file and the log, that no database or terminal can refuse or misread.
     */
    static String ascii(String s, int width) {
        StringBuilder out = new StringBuilder(Math.min(s.length() + 16, width + 8));
        for (int i = 0; i < s.length() && out.length() <= width; i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                out.append("\\\\");
            } else if (c >= 0x20 && c < 0x7f) {
                out.append(c);
            } else {
                out.append(String.format("\\u%04x", (int) c));
            }
        }
        return out.length() <= width ? out.toString() : out.substring(0, width - 3) + "...";
    }

    /**
     * Why the database refused a change, for the quarantine: SQLState and message of every
     * exception in the chain (a batch's own message, which repeats the statement, left out), in ASCII, any run of 12 or more digits but the record's own RRN
     * masked (a driver's message may quote a value), at most {@code width} characters.
     */
    static String reason(Throwable e, String rrn, int width) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null && sb.length() < 4 * width; t = next(t)) {
            if (!sb.isEmpty()) {
                sb.append(" / ");
            }
            sb.append(t.getClass().getSimpleName());
            if (t instanceof SQLException s && s.getSQLState() != null) {
                sb.append(" SQLState ").append(s.getSQLState());
            }
            // a batch's own message repeats the whole statement (PostgreSQL: with its values); the
            // next exception says what went wrong
            boolean repeats = t instanceof BatchUpdateException b && b.getNextException() != null;
            if (t.getMessage() != null && !repeats) {
                sb.append(": ").append(t.getMessage());
            }
        }
        Matcher m = DIGIT_RUN.matcher(sb);
        StringBuilder masked = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(masked, Matcher.quoteReplacement(m.group().equals(rrn) ? m.group() : CardData.maskPan(m.group())));
        }
        m.appendTail(masked);
        return ascii(masked.toString(), width);
    }

    /** The next exception in a chain: a batch's next exception (PostgreSQL puts the real one there), else the cause. */
    static Throwable next(Throwable t) {
        if (t instanceof SQLException s && s.getNextException() != null && s.getNextException() != t) {
            return s.getNextException();
        }
        return t.getCause() == t ? null : t.getCause();
    }

    /**
     * Whether the database refused a statement for the data it was given (SQLState class 22, data
     * exception: too long, bad character, out of range; class 23, a constraint) rather than for its
     * own state (down, disk full, connection lost): such a change fails the same way every time.
     */
    static boolean isDataError(Throwable e) {
        int depth = 0;
        for (Throwable t = e; t != null && depth < 20; t = next(t), depth++) {
            if (t instanceof SQLException s && s.getSQLState() != null
                    && (s.getSQLState().startsWith("22") || s.getSQLState().startsWith("23"))) {
                return true;
            }
        }
        return false;
    }
}
