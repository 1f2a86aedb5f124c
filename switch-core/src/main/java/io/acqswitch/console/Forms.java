package io.acqswitch.console;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Arrays;

/**
 * Reading what a browser sends: a query string or an urlencoded form, and a multipart form (the
 * reconciliation's ledger upload). A value given twice keeps its first; a malformed body is an
 * {@link IllegalArgumentException}, which the admin server answers 400 and counts.
 */
final class Forms {
    private Forms() {}

    /** {@code a=1&b=x%20y}; null or empty gives an empty map. Empty values are kept as "". */
    static Map<String, String> urlencoded(String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            out.putIfAbsent(name, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return out;
    }

    /** The body of a POST, by its {@code Content-Type}: urlencoded or multipart; anything else is refused. */
    static Map<String, String> body(String contentType, byte[] body) {
        String type = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
        if (type.startsWith("multipart/form-data")) {
            return multipart(contentType, body);
        }
        if (type.isEmpty() || type.startsWith("application/x-www-form-urlencoded")) {
            return urlencoded(new String(body, StandardCharsets.UTF_8));
        }
        throw new IllegalArgumentException("unsupported form type " + contentType);
    }

    /**
     * The parts of a {@code multipart/form-data} body by name, each part's bytes read as UTF-8 text
     * (a file part is its content). Every part must have a {@code Content-Disposition} name.
     */
    static Map<String, String> multipart(String contentType, byte[] body) {
        String boundary = null;
        for (String p : contentType.split(";")) {
            String t = p.strip();
            if (t.regionMatches(true, 0, "boundary=", 0, 9)) {
                boundary = t.substring(9).replace("\"", "");
            }
        }
        if (boundary == null || boundary.isEmpty()) {
            throw new IllegalArgumentException("multipart form without a boundary");
        }
        // ISO-8859-1 maps every byte to one char, so offsets found in the text are byte offsets
        String text = new String(body, StandardCharsets.ISO_8859_1);
        String delimiter = "--" + boundary;
        Map<String, String> out = new HashMap<>();
        int at = text.indexOf(delimiter);
        if (at < 0) {
            throw new IllegalArgumentException("multipart form without its boundary");
        }
        while (true) {
            int partStart = at + delimiter.length();
            if (text.startsWith("--", partStart)) {
                return out; // the closing delimiter
            }
            int headersEnd = text.indexOf("\r\n\r\n", partStart);
            int next = text.indexOf("\r\n" + delimiter, partStart);
            if (headersEnd < 0 || next < 0 || headersEnd > next) {
                throw new IllegalArgumentException("multipart form cut short");
            }
            String name = partName(text.substring(partStart, headersEnd));
            byte[] value = Arrays.copyOfRange(body, headersEnd + 4, next);
            out.putIfAbsent(name, new String(value, StandardCharsets.UTF_8));
            at = next + 2;
        }
    }

    private static String partName(String headers) {
        for (String line : headers.split("\r\n")) {
            if (line.regionMatches(true, 0, "content-disposition:", 0, 20)) {
                for (String p : line.substring(20).split(";")) {
                    String t = p.strip();
                    if (t.startsWith("name=")) {
                        return t.substring(5).replace("\"", "");
                    }
                }
            }
        }
        throw new IllegalArgumentException("multipart part without a name");
    }
}
