package dev.mlops.tracking;

/** The life cycle of a run: {@code RUNNING -> COMPLETED | FAILED | ABORTED}. The three end states are final. */
public enum RunStatus {
    RUNNING, COMPLETED, FAILED, ABORTED;

    /** Whether this is an end state. */
    public boolean isTerminal() {
        return this != RUNNING;
    }
}
