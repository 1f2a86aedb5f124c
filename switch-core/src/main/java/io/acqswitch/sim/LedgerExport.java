package io.acqswitch.sim;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders ledger snapshots as JSON and as the issuer ledger export (CSV) used for reconciliation.
 * Works only on snapshots, which carry masked PANs, so no full PAN can reach an export. Stateless.
 */
public final class LedgerExport {
    /**
     * The CSV layout, one line per entry then one per orphan reversal, comma-separated, RFC 4180
     * quoting, timestamps ISO-8601 UTC, amounts in minor units, empty cell = absent.
     */
    public static final String CSV_HEADER = "rrn,stan,terminal_id,mti,processing_code,masked_pan,amount,currency,"
            + "kind,response_code,auth_code,withheld,reversed,reversals_received,repeats,received_at,reversed_at";

    /** The {@code kind} column of an orphan reversal's line. */
    public static final String ORPHAN_KIND = "ORPHAN_REVERSAL";

    private static final ObjectMapper JSON = new ObjectMapper()
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .registerModule(new SimpleModule("ledger").addSerializer(Instant.class, ToStringSerializer.instance));

    private LedgerExport() {}

    /** {@code value} as JSON (records, maps, lists); for the HTTP API. */
    static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }

    static String json(LedgerSummary summary, List<LedgerEntry> entries, List<OrphanReversal> orphans) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("summary", summary);
        doc.put("entries", entries);
        doc.put("orphanReversals", orphans);
        return json(doc);
    }

    static String csv(List<LedgerEntry> entries, List<OrphanReversal> orphans) {
        StringBuilder sb = new StringBuilder(128 * (entries.size() + orphans.size() + 1));
        sb.append(CSV_HEADER).append("\r\n");
        for (LedgerEntry e : entries) {
            line(sb, e.rrn(), e.stan(), e.terminalId(), e.mti(), e.processingCode(), e.maskedPan(), e.amount(),
                    e.currency(), e.kind(), e.responseCode(), e.authCode(), e.withheld(), e.reversed(),
                    e.reversalsReceived(), e.repeats(), e.receivedAt(), e.reversedAt());
        }
        for (OrphanReversal o : orphans) {
            line(sb, o.rrn(), o.stan(), o.terminalId(), o.mti(), "", o.maskedPan(), o.amount(), "", ORPHAN_KIND,
                    "00", "", false, false, o.received(), 0, o.firstReceivedAt(), null);
        }
        return sb.toString();
    }

    private static void line(StringBuilder sb, Object... cells) {
        for (int i = 0; i < cells.length; i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(cell(cells[i]));
        }
        sb.append("\r\n");
    }

    private static String cell(Object value) {
        String s = value == null ? "" : value.toString();
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
            return s;
        }
        return '"' + s.replace("\"", "\"\"") + '"';
    }
}
