package io.acqswitch.txn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.acqswitch.store.HeapTransactionStore;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SequencesTest {
    /** 2026-12-05 (day 339) at noon UTC. */
    private static final long NOW = Instant.parse("2026-12-05T12:00:00Z").toEpochMilli();

    @Test
    void shouldKeepTheSingleNodeLayout() {
        Sequences s = new Sequences(new HeapTransactionStore());
        String rrn = s.nextRrn(NOW);
        assertEquals(12, rrn.length());
        assertTrue(rrn.matches("6339\\d{8}"), rrn);
        String stan = s.nextStan();
        assertTrue(stan.matches("\\d{6}") && !stan.equals("000000"), stan);
    }

    @Test
    void shouldPutTheNodeIdInsideRrnAndStan() {
        Sequences s = new Sequences(new HeapTransactionStore(), 7);
        for (int i = 0; i < 3000; i++) { // across block boundaries
            String rrn = s.nextRrn(NOW);
            assertTrue(rrn.matches("63397\\d{7}"), rrn);
            String stan = s.nextStan();
            assertTrue(stan.matches("7\\d{5}") && !stan.equals("700000"), stan);
        }
    }

    @Test
    void shouldNeverCollideBetweenNodesWithTheSameSequence() {
        // two nodes with identical stores draw identical sequence numbers: only the node digit tells them apart
        Sequences a = new Sequences(new HeapTransactionStore(), 0);
        Sequences b = new Sequences(new HeapTransactionStore(), 1);
        Set<String> rrns = new HashSet<>();
        Set<String> stans = new HashSet<>();
        for (int i = 0; i < 5000; i++) {
            assertTrue(rrns.add(a.nextRrn(NOW)) & rrns.add(b.nextRrn(NOW)));
            assertTrue(stans.add(a.nextStan()) & stans.add(b.nextStan()));
        }
    }

    @Test
    void shouldNeverIssueStanZeroForNodeZero() {
        Sequences s = new Sequences(new HeapTransactionStore(), 0);
        for (int i = 0; i < 100_000; i++) { // one whole cycle of the 5-digit part
            String stan = s.nextStan();
            assertEquals(6, stan.length());
            assertNotEquals("000000", stan);
        }
    }

    @Test
    void shouldRefuseANodeIdOfTwoDigits() {
        assertThrows(IllegalArgumentException.class, () -> new Sequences(new HeapTransactionStore(), 10));
    }
}
