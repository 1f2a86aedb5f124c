package io.acqswitch.iso;

/**
 * The one place that makes untrusted text (terminal fields, HTTP paths, anything a peer sent) safe
 * for a log line: control characters are shown as escapes, so a line feed in field 41 cannot end
 * the line and forge the next one, and a carriage return or a bidirectional override cannot make a
 * line read differently on a terminal. Used by {@link IsoLog}, by every log of
 * terminal- or client-supplied text, and by {@code metrics.EscapedMessageConverter} on every message the
 * process logs (so text logged by code that forgot is still one line).
 *
 * <p>Escaped: C0 controls and DEL ({@code \n}, {@code \r}, {@code \t}, else {@code \xNN}), C1
 * controls ({@code \xNN}), the Unicode line and paragraph separators and the bidirectional
 * controls ({@code \\uNNNN}). A backslash is left as it is, so that escaping twice changes nothing
 * (the converter sees text {@code IsoLog} already escaped); a literal backslash-n in a field is then
 * indistinguishable from an escaped line feed, which is harmless: neither starts a new line.
 */
public final class LogText {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private LogText() {}

    /** {@code text} with control characters escaped; the same instance when there are none. Null-safe ("null"). */
    public static String escape(CharSequence text) {
        if (text == null) {
            return "null";
        }
        int n = text.length();
        int first = 0;
        while (first < n && !needsEscape(text.charAt(first))) {
            first++;
        }
        if (first == n) {
            return text.toString();
        }
        StringBuilder sb = new StringBuilder(n + 16).append(text, 0, first);
        for (int i = first; i < n; i++) {
            char c = text.charAt(i);
            if (!needsEscape(c)) {
                sb.append(c);
            } else if (c == '\n') {
                sb.append("\\n");
            } else if (c == '\r') {
                sb.append("\\r");
            } else if (c == '\t') {
                sb.append("\\t");
            } else if (c < 0x100) {
                sb.append("\\x").append(HEX[c >> 4]).append(HEX[c & 0xf]);
            } else {
                sb.append("\\u").append(HEX[c >> 12]).append(HEX[(c >> 8) & 0xf]).append(HEX[(c >> 4) & 0xf]).append(HEX[c & 0xf]);
            }
        }
        return sb.toString();
    }

    /**
     * As {@link #escape(CharSequence)}, cut to {@code maxChars} characters of input first (the rest
     * counted, {@code …(+N)}), for text whose length a peer chooses.
     */
    public static String escape(CharSequence text, int maxChars) {
        if (text == null || text.length() <= maxChars) {
            return escape(text);
        }
        return escape(text.subSequence(0, maxChars)) + "…(+" + (text.length() - maxChars) + ")";
    }

    static boolean needsEscape(char c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f)
                || c == '\u2028' || c == '\u2029'                  // line and paragraph separators
                || (c >= '\u200e' && c <= '\u200f')               // left-to-right / right-to-left marks
                || (c >= '\u202a' && c <= '\u202e')               // bidirectional embeddings and overrides
                || (c >= '\u2066' && c <= '\u2069');              // bidirectional isolates
    }
}
