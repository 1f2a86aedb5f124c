package io.acqswitch.console;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;

/**
 * The console's logged-in operators: a random session id (the cookie) for each, with its own CSRF
 * token and the name given at login (the audit's "who"). A session ends when logged out, after
 * {@link #IDLE} without a request, or {@link #LIFETIME} after login. At most {@link #MAX} live at
 * once, so a flood of logins cannot grow the heap. Thread-safe; time comes from the injected clock.
 */
final class Sessions {
    static final Duration IDLE = Duration.ofMinutes(30);
    static final Duration LIFETIME = Duration.ofHours(12);
    static final int MAX = 256;

    /** One operator's session; {@code lastSeen} moves on every request. */
    static final class Session {
        final String id;
        final String who;
        final String csrf;
        final long createdAt;
        volatile long lastSeen;

        Session(String id, String who, String csrf, long createdAt) {
            this.id = id;
            this.who = who;
            this.csrf = csrf;
            this.createdAt = createdAt;
            this.lastSeen = createdAt;
        }

        /** Has the operator's form carried this session's CSRF token? Constant-time comparison. */
        boolean csrfMatches(String token) {
            return token != null && MessageDigest.isEqual(csrf.getBytes(StandardCharsets.US_ASCII),
                    token.getBytes(StandardCharsets.US_ASCII));
        }
    }

    private final SecureRandom random = new SecureRandom();
    private final Map<String, Session> live = new ConcurrentHashMap<>();
    private final LongSupplier clock;

    /** @param clock epoch milliseconds */
    Sessions(LongSupplier clock) {
        this.clock = clock;
    }

    /** A new session for {@code who}, or empty when {@link #MAX} sessions are live. */
    Optional<Session> open(String who) {
        if (live.size() >= MAX) {
            sweep();
            if (live.size() >= MAX) {
                return Optional.empty();
            }
        }
        Session s = new Session(token(), who, token(), clock.getAsLong());
        live.put(s.id, s);
        return Optional.of(s);
    }

    /** The live session with this id (touching it), or empty: unknown, idle too long or too old. */
    Optional<Session> find(String id) {
        if (id == null) {
            return Optional.empty();
        }
        Session s = live.get(id);
        if (s == null) {
            return Optional.empty();
        }
        long now = clock.getAsLong();
        if (expired(s, now)) {
            live.remove(id);
            return Optional.empty();
        }
        s.lastSeen = now;
        return Optional.of(s);
    }

    void close(Session s) {
        live.remove(s.id);
    }

    int size() {
        return live.size();
    }

    private boolean expired(Session s, long now) {
        return now - s.lastSeen > IDLE.toMillis() || now - s.createdAt > LIFETIME.toMillis();
    }

    private void sweep() {
        long now = clock.getAsLong();
        live.values().removeIf(s -> expired(s, now));
    }

    /** 32 random bytes, base64url: unguessable, and safe in a cookie and a form field. */
    private String token() {
        byte[] b = new byte[32];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
