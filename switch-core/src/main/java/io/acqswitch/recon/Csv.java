package io.acqswitch.recon;

/** Writing the reports' CSV (RFC 4180: CRLF line ends, a cell with a comma, quote or line break quoted). */
public final class Csv {
    private Csv() {}

    /** One cell: {@code null} as empty. */
    public static String cell(Object value) {
        String s = value == null ? "" : value.toString();
        return s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r")
                ? '"' + s.replace("\"", "\"\"") + '"' : s;
    }

    /** A whole line from its cells, with the CRLF. */
    public static String line(Object... cells) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            sb.append(i == 0 ? "" : ",").append(cell(cells[i]));
        }
        return sb.append("\r\n").toString();
    }
}
