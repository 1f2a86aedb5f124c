package io.acqswitch.store;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import org.junit.jupiter.api.Test;

class FillWatchTest {
    private static void fillTo(TransactionStore store, int records) {
        for (int i = 0; i < records; i++) {
            store.put(String.format("%012d", i), new byte[] {1, 2, 3});
        }
        for (int i = records; i < 100; i++) {
            store.remove(String.format("%012d", i));
        }
    }

    @Test
    void shouldWarnOncePerCrossingOfNinetyPercent() throws Exception {
        try (var store = new ChronicleTransactionStore(Files.createTempDirectory("fill"), 100)) {
            FillWatch watch = new FillWatch(store);
            fillTo(store, 89);
            assertFalse(watch.check(), "89 % is below the threshold");
            fillTo(store, 90);
            assertTrue(watch.check(), "crossing 90 % warns");
            fillTo(store, 95);
            assertFalse(watch.check(), "still above: no second warning");
            fillTo(store, 87);
            assertFalse(watch.check());
            assertTrue(watch.warned(), "between 85 % and 90 % the warning stays armed off");
            fillTo(store, 80);
            assertFalse(watch.check());
            assertFalse(watch.warned(), "below 85 % re-arms");
            fillTo(store, 91);
            assertTrue(watch.check(), "the next crossing warns again");
        }
    }

    @Test
    void shouldStaySilentOnceTheStoreIsClosed() throws Exception {
        var store = new ChronicleTransactionStore(Files.createTempDirectory("fill"), 100);
        fillTo(store, 95);
        store.close();
        assertFalse(store.isOpen());
        assertFalse(new FillWatch(store).check());
    }
}
