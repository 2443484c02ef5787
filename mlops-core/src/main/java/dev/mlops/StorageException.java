package dev.mlops;

/** The storage backend failed; the operation did not take effect. Error code {@link ErrorCode#STORAGE}. */
public class StorageException extends MlopsException {
    private static final long serialVersionUID = 1L;

    public StorageException(String message, Throwable cause) {
        super(ErrorCode.STORAGE, message, null, cause);
    }
}
