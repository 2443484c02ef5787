package dev.mlops;

/** The change contradicts the stored state; re-read and decide again. Error code {@link ErrorCode#CONFLICT}. */
public class ConflictException extends MlopsException {
    private static final long serialVersionUID = 1L;

    public ConflictException(String message) {
        super(ErrorCode.CONFLICT, message);
    }
}
