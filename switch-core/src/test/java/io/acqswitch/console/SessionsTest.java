package io.acqswitch.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The console's sessions: unguessable ids and CSRF tokens, idle and absolute expiry, a cap. */
class SessionsTest {
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final Sessions sessions = new Sessions(now::get);

    @Test
    void shouldEndASessionIdleLongerThanTheIdleLimit() {
        Sessions.Session s = sessions.open("alice").orElseThrow();
        now.addAndGet(Sessions.IDLE.toMillis());
        assertTrue(sessions.find(s.id).isPresent(), "exactly the idle limit is still live");
        now.addAndGet(Sessions.IDLE.toMillis() + 1);
        assertTrue(sessions.find(s.id).isEmpty());
        assertEquals(0, sessions.size(), "an expired session is dropped when found");
    }

    @Test
    void shouldEndABusySessionAtItsLifetime() {
        Sessions.Session s = sessions.open("alice").orElseThrow();
        for (long t = 0; t < Sessions.LIFETIME.toMillis(); t += Sessions.IDLE.toMillis() / 2) {
            now.addAndGet(Sessions.IDLE.toMillis() / 2);
            sessions.find(s.id);
        }
        now.addAndGet(1);
        assertTrue(sessions.find(s.id).isEmpty());
    }

    @Test
    void shouldRefuseNewSessionsBeyondTheCapUntilSomeExpire() {
        for (int i = 0; i < Sessions.MAX; i++) {
            assertTrue(sessions.open("op" + i).isPresent());
        }
        assertTrue(sessions.open("one-too-many").isEmpty());
        now.addAndGet(Sessions.IDLE.toMillis() + 1);
        assertTrue(sessions.open("later").isPresent(), "expired sessions make room");
        assertEquals(1, sessions.size());
    }

    @Test
    void shouldGiveEachSessionItsOwnIdAndCsrfToken() {
        Sessions.Session a = sessions.open("alice").orElseThrow();
        Sessions.Session b = sessions.open("alice").orElseThrow();
        assertNotEquals(a.id, b.id);
        assertNotEquals(a.csrf, b.csrf);
        assertNotEquals(a.id, a.csrf);
        assertTrue(a.id.length() >= 43, "32 random bytes");
        assertTrue(a.csrfMatches(a.csrf));
        assertFalse(a.csrfMatches(b.csrf));
        assertFalse(a.csrfMatches(null));
        assertFalse(a.csrfMatches(""));
        sessions.close(a);
        assertTrue(sessions.find(a.id).isEmpty());
        assertTrue(sessions.find(null).isEmpty());
    }
}
