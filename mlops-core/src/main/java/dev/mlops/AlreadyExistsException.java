package dev.mlops;

/** An entity with the same identity already exists with different content. Error code {@link ErrorCode#ALREADY_EXISTS}. */
public class AlreadyExistsException extends MlopsException {
    private static final long serialVersionUID = 1L;

    public AlreadyExistsException(String message) {
        super(ErrorCode.ALREADY_EXISTS, message);
    }
}
