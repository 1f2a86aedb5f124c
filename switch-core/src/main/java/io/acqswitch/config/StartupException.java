package io.acqswitch.config;

import java.io.IOException;

/**
 * The switch could not start with a configured value it was given: one line {@code name=value: why}
 * (e.g. {@code listeners[0].port=8583: address already in use}) that names the setting, for the
 * operator to read without a stack trace. The sibling of {@link ConfigException}, which is for values
 * refused before anything starts.
 */
public final class StartupException extends Exception {
    private static final long serialVersionUID = 1L;

    /** @param problem {@code name=value: why}, one line */
    public StartupException(String problem) {
        super(problem);
    }

    /** @param problem {@code name=value: why}, one line; {@code cause} is kept for debugging, not printed */
    public StartupException(String problem, Throwable cause) {
        super(problem, cause);
    }

    /**
     * The socket {@code key} ({@code listeners[0]}, {@code http}, {@code stubs[1]}) could not listen:
     * named by its {@code .bind} when the host has no such address, else by its {@code .port}
     * ({@code listeners[0].port=8583: address already in use}).
     */
    public static StartupException cannotListen(String key, String bind, int port, IOException e) {
        String why = e.getMessage() != null && !e.getMessage().isBlank() ? e.getMessage() : e.toString();
        why = Character.toLowerCase(why.charAt(0)) + why.substring(1);
        String setting = why.contains("assign requested address") ? key + ".bind=" + bind : key + ".port=" + port;
        return new StartupException(setting + ": " + why, e);
    }
}
