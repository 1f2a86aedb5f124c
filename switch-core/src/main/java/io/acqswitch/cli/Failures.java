package io.acqswitch.cli;

/** What a failure was, for a one-line CLI message: never the bare {@code "null"} of a message-less exception. */
final class Failures {
    private Failures() {}

    /**
     * The exception's message; when it has none (an {@code EOFException}, a refused connection from
     * {@code HttpClient}, …) its class name, followed by its cause described the same way (a cause
     * of the same class adds nothing and is skipped).
     */
    static String describe(Throwable e) {
        String message = e.getMessage();
        if (message != null && !message.isBlank()) {
            return message;
        }
        Throwable cause = e.getCause();
        while (cause != null && cause != e && cause.getClass() == e.getClass()
                && (cause.getMessage() == null || cause.getMessage().isBlank())) {
            e = cause;
            cause = e.getCause();
        }
        return e.getClass().getSimpleName() + (cause != null && cause != e ? " (" + describe(cause) + ")" : "");
    }
}
