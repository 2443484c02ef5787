package dev.mlops.cli;

import dev.mlops.ErrorCode;

/** The exit codes of the contract ({@code cli-contract.md}). */
public final class ExitCodes {
    public static final int OK = 0;
    /** A check failed: drift found with --fail-on-drift, audit verify found tampering. */
    public static final int CHECK_FAILED = 1;
    public static final int USAGE = 2;
    public static final int NOT_FOUND = 3;
    public static final int CONFLICT = 4;
    public static final int STORAGE = 5;

    private ExitCodes() {
    }

    public static int of(ErrorCode code) {
        return switch (code) {
            case INVALID_ARGUMENT -> USAGE;
            case NOT_FOUND -> NOT_FOUND;
            case ALREADY_EXISTS, CONFLICT, PERMISSION_DENIED -> CONFLICT;
            case STORAGE, INTEGRITY -> STORAGE;
        };
    }
}
