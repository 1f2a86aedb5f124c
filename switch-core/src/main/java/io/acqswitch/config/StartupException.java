package io.acqswitch.config;

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
}
