package io.acqswitch.journal;

import io.acqswitch.iso.IsoLog;
import io.acqswitch.txn.RecordCodec;
import io.acqswitch.txn.TxnRecord;
import org.jpos.iso.ISOException;
import org.jpos.iso.ISOMsg;

/**
 * The masked text of the messages a transaction exchanged with its terminal, made on the journal
 * writer's thread from what a change carries: the terminal's request (a reference the processor
 * handed over) and the packed answer the record keeps (unpacked with the request's own packager,
 * so with the listener's dialect). One {@code number=value} line per field ({@link IsoLog#fields}:
 * PAN 6 + 4, tracks, PIN block, ICC data and MACs hidden with their length, private fields by
 * length only). Stateless, thread-safe.
 */
final class MessageText {
    /** The keys of {@link JournalQueries#messages} (the {@code kind} of the V8 table's rows before V9). */
    static final String REQUEST = "request";
    static final String ANSWER = "answer";

    private MessageText() {}

    /**
     * The request's text when this change is the one to journal it: the record's first write
     * (nothing answered yet), or a request the switch decided without forwarding it, whose first
     * write carries the answer already; else null (an earlier change had it). Null without a request.
     */
    static String request(TxnRecord r, ISOMsg request, boolean answered) {
        if (request == null || answered && r.forwardedAt > 0) {
            return null;
        }
        return IsoLog.fields(request);
    }

    /**
     * The answer's text, when the change carries the request and the record holds its answer (the
     * processor hands the request over until the write that carries the answer, and not after);
     * else null. An answer that does not unpack is journaled as a line saying so.
     *
     * @param recordBytes the encoded record the change carries
     */
    static String answer(byte[] recordBytes, ISOMsg request) {
        if (request == null || request.getPackager() == null) {
            return null;
        }
        byte[] packed = RecordCodec.response(recordBytes);
        if (packed.length == 0) {
            return null;
        }
        ISOMsg answer = new ISOMsg();
        answer.setPackager(request.getPackager());
        try {
            answer.unpack(packed);
        } catch (ISOException | RuntimeException e) {
            return "0=<" + packed.length + " bytes that do not unpack: " + e.getClass().getSimpleName() + ">";
        }
        return IsoLog.fields(answer);
    }
}
