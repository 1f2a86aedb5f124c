package io.acqswitch.journal;

import io.acqswitch.store.ForwardingTransactionStore;
import io.acqswitch.store.RecordBytes;
import io.acqswitch.store.TransactionStore;
import org.jpos.iso.ISOMsg;

/**
 * A {@link TransactionStore} that copies every record write to the journal: {@link #put} forwards
 * to the real store first (durability does not depend on the journal), then offers the same bytes
 * to the {@link JournalWriter}, which never blocks, with the terminal's request when the caller
 * gives it (by reference: the writer makes its masked text). An {@link #edit} is made where the
 * record lies and the writer reads the result from the store. Everything else is forwarded unchanged. Same
 * threading as the wrapped store (the processor thread).
 */
public final class JournalingStore extends ForwardingTransactionStore {
    private final JournalWriter journal;

    public JournalingStore(TransactionStore store, JournalWriter journal) {
        super(store);
        this.journal = journal;
    }

    /** The bytes are handed to another thread: callers must not change the array after the call (encoders return fresh arrays). */
    @Override
    public void put(String rrn, byte[] record) {
        put(rrn, record, null);
    }

    /**
     * Edits the record where the wrapped store keeps it (the Chronicle store: in place, nothing
     * copied) and tells the journal that it changed, without its bytes: the writer reads them from
     * the store when it takes the change ({@link JournalWriter#offerStored}). So a delivery
     * confirmation costs the processor no read and no write of the whole record, journal or not.
     */
    @Override
    public boolean edit(String rrn, RecordBytes.Edit edit) {
        if (!wrapped().edit(rrn, edit)) {
            return false;
        }
        journal.offerStored(rrn);
        return true;
    }

    /** As {@link #put(String, byte[])}; {@code request} (or null) goes to the journal by reference, as the bytes do. */
    @Override
    public void put(String rrn, byte[] record, ISOMsg request) {
        super.put(rrn, record);
        journal.offer(rrn, record, request);
    }
}
