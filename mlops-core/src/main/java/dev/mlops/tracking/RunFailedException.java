package dev.mlops.tracking;

/**
 * Thrown by {@link Tracking#run(String, RunBody)} when the body threw a checked exception, which is its cause.
 * Not an {@code MlopsException}: the failure is the application's, not the library's.
 */
public class RunFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public RunFailedException(String runId, Throwable cause) {
        super("run " + runId + " failed: " + cause, cause);
    }
}
