package dev.mlops;

/** The caller may not do this. Error code {@link ErrorCode#PERMISSION_DENIED}. */
public class PermissionDeniedException extends MlopsException {
    private static final long serialVersionUID = 1L;

    public PermissionDeniedException(String message) {
        super(ErrorCode.PERMISSION_DENIED, message);
    }
}
