package dev.mlops;

/** The named entity does not exist. Error code {@link ErrorCode#NOT_FOUND}. */
public class NotFoundException extends MlopsException {
    private static final long serialVersionUID = 1L;

    public NotFoundException(String message) {
        super(ErrorCode.NOT_FOUND, message);
    }
}
