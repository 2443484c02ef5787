package dev.mlops;

/** Stored data failed an integrity check. Error code {@link ErrorCode#INTEGRITY}. */
public class IntegrityException extends MlopsException {
    private static final long serialVersionUID = 1L;

    public IntegrityException(String message) {
        super(ErrorCode.INTEGRITY, message);
    }
}
