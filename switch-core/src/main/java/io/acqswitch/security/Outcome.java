package io.acqswitch.security;

/**
 * What a security module command returned: a value, or a refusal with its reason (a network HSM's
 * error code, a key of the wrong type, a check value that does not match). A refusal is an expected
 * outcome, not an exception; reasons never contain key material, PINs or PANs.
 */
public sealed interface Outcome<T> {
    record Done<T>(T value) implements Outcome<T> {}

    record Refused<T>(String reason) implements Outcome<T> {}

    static <T> Outcome<T> done(T value) {
        return new Done<>(value);
    }

    static <T> Outcome<T> refused(String reason) {
        return new Refused<>(reason);
    }

    /** The value, or {@code null} when refused. */
    default T valueOrNull() {
        return this instanceof Done<T> d ? d.value() : null;
    }

    /** The refusal's reason, or {@code null} when done. */
    default String refusal() {
        return this instanceof Refused<T> r ? r.reason() : null;
    }
}
