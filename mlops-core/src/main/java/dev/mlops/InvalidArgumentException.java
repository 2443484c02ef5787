package dev.mlops;

/** An argument is malformed or out of range. Error code {@link ErrorCode#INVALID_ARGUMENT}; {@link #field()} names it. */
public class InvalidArgumentException extends MlopsException {
    private static final long serialVersionUID = 1L;

    /**
     * @param field   the argument, field, file or line that was wrong (for example {@code "params.lr"}), or null
     * @param message what was wrong and what was expected
     */
    public InvalidArgumentException(String field, String message) {
        super(ErrorCode.INVALID_ARGUMENT, message, field, null);
    }

    public InvalidArgumentException(String field, String message, Throwable cause) {
        super(ErrorCode.INVALID_ARGUMENT, message, field, cause);
    }
}
