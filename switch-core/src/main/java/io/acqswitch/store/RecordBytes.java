package io.acqswitch.store;

/**
 * A stored record's bytes, read and changed where they lie ({@link TransactionStore#edit}): valid
 * only during that call, and only on the thread that made it.
 */
public interface RecordBytes {
    int length();

    /** @throws IndexOutOfBoundsException outside {@code 0..length()-1} */
    byte get(int i);

    /** @throws IndexOutOfBoundsException outside {@code 0..length()-1} */
    void set(int i, byte b);

    /** Changes some of a record's bytes in place. */
    @FunctionalInterface
    interface Edit {
        /** @return true when it changed a byte (the store then keeps the change durable) */
        boolean apply(RecordBytes bytes);
    }

    /** A byte array seen as record bytes. */
    static RecordBytes of(byte[] array) {
        return new RecordBytes() {
            @Override
            public int length() {
                return array.length;
            }

            @Override
            public byte get(int i) {
                return array[i];
            }

            @Override
            public void set(int i, byte b) {
                array[i] = b;
            }
        };
    }
}
