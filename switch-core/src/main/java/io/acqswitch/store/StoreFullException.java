package io.acqswitch.store;

/** The store has no room for another entry: raise {@code store.expectedEntries}. */
public final class StoreFullException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StoreFullException(String message, Throwable cause) {
        super(message, cause);
    }
}
