package dev.mlops.tracking;

/** Configures a run before it starts; from {@link Tracking#starter(String)}. Not thread-safe; use once. */
public interface RunStarter {

    /** Makes the run a child of {@code parentRunId}, which must exist. */
    RunStarter parent(String parentRunId);

    RunStarter tag(String key, String value);

    /** Uses this code version instead of reading the surrounding git checkout. */
    RunStarter codeVersion(CodeVersion codeVersion);

    /**
     * Uses this run id instead of a new time-ordered UUID; starting the same id again (for example a retried job)
     * resumes the run if it is still {@code RUNNING} with the same job name.
     */
    RunStarter id(String runId);

    ActiveRun start();
}
