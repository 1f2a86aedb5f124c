package io.acqswitch.cluster;

/** A sync barrier found its changes not acknowledged by Kafka in time, or refused: nothing of the batch may leave. */
public final class ReplicationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ReplicationException(String message, Throwable cause) {
        super(message, cause);
    }
}
