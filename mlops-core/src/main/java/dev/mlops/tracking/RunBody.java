package dev.mlops.tracking;

/** The body of a tracked run; see {@link Tracking#run(String, RunBody)}. */
@FunctionalInterface
public interface RunBody<T> {
    T execute(ActiveRun run) throws Exception;
}
