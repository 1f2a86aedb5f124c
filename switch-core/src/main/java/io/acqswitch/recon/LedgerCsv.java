package io.acqswitch.recon;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the issuer ledger export (CSV, RFC 4180, the layout in docs/issuer-stub.md, "Issuer ledger export"
 * section). Columns are found by their header names, so added columns do not break it. Stateless.
 */
public final class LedgerCsv {
    private LedgerCsv() {}

    /** One line of the export. {@code kind} is DEBIT, CREDIT, BALANCE or ORPHAN_REVERSAL. */
    public record Row(int line, String rrn, String stan, String terminalId, String mti, String maskedPan, long amount,
            String currency, String kind, String responseCode, boolean reversed, Instant receivedAt) {
        /** The entry moved money: approved, not reversed, a debit or a credit. */
        public boolean movedMoney() {
            return "00".equals(responseCode) && !reversed && (kind.equals("DEBIT") || kind.equals("CREDIT"));
        }

        public boolean orphanReversal() {
            return kind.equals("ORPHAN_REVERSAL");
        }
    }

    /** @throws IllegalArgumentException naming the line and column of a malformed cell */
    public static List<Row> read(Path file) throws IOException {
        return parse(Files.readString(file, StandardCharsets.UTF_8));
    }

    public static List<Row> parse(String text) {
        List<List<String>> lines = records(text);
        if (lines.isEmpty()) {
            throw new IllegalArgumentException("ledger: empty file (expected a header line)");
        }
        Map<String, Integer> col = new HashMap<>();
        List<String> header = lines.getFirst();
        for (int i = 0; i < header.size(); i++) {
            col.put(header.get(i).strip(), i);
        }
        for (String need : List.of("rrn", "stan", "terminal_id", "mti", "masked_pan", "amount", "currency", "kind",
                "response_code", "reversed", "received_at")) {
            if (!col.containsKey(need)) {
                throw new IllegalArgumentException("ledger: header lacks column " + need);
            }
        }
        List<Row> rows = new ArrayList<>();
        for (int n = 1; n < lines.size(); n++) {
            List<String> c = lines.get(n);
            if (c.size() == 1 && c.getFirst().isEmpty()) {
                continue;
            }
            int line = n + 1;
            try {
                String received = cell(c, col, "received_at");
                rows.add(new Row(line, cell(c, col, "rrn"), cell(c, col, "stan"), cell(c, col, "terminal_id"),
                        cell(c, col, "mti"), cell(c, col, "masked_pan"), Long.parseLong(cell(c, col, "amount")),
                        cell(c, col, "currency"), cell(c, col, "kind"), cell(c, col, "response_code"),
                        Boolean.parseBoolean(cell(c, col, "reversed")), received.isEmpty() ? null : Instant.parse(received)));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("ledger line " + line + ": " + e.getMessage(), e);
            }
        }
        return rows;
    }

    private static String cell(List<String> cells, Map<String, Integer> col, String name) {
        int i = col.get(name);
        return i < cells.size() ? cells.get(i) : "";
    }

    /** RFC 4180: quoted cells may hold commas, quotes (doubled) and line breaks. */
    static List<List<String>> records(String text) {
        List<List<String>> out = new ArrayList<>();
        List<String> cur = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (quoted) {
                if (ch == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
                    cell.append('"');
                    i++;
                } else if (ch == '"') {
                    quoted = false;
                } else {
                    cell.append(ch);
                }
            } else if (ch == '"') {
                quoted = true;
            } else if (ch == ',') {
                cur.add(cell.toString());
                cell.setLength(0);
            } else if (ch == '\n' || ch == '\r') {
                if (ch == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                    i++;
                }
                cur.add(cell.toString());
                cell.setLength(0);
                out.add(cur);
                cur = new ArrayList<>();
            } else {
                cell.append(ch);
            }
        }
        if (cell.length() > 0 || !cur.isEmpty()) {
            cur.add(cell.toString());
            out.add(cur);
        }
        return out;
    }
}
