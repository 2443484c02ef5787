package dev.mlops;

import java.util.Objects;
import java.util.Optional;

/**
 * The one unchecked exception of the library. Every failure of the public API is an {@code MlopsException} whose
 * {@link #code()} says what kind of failure it is; the subclasses exist so that callers can catch one kind.
 *
 * <p>Messages name the argument or entity concerned and never contain secrets (passwords, tokens).
 */
public class MlopsException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    private final String field;

    /**
     * @param code    the stable error code, not null
     * @param message a message for people that names what was wrong
     * @param field   the argument or field that was wrong, or null when the failure is not about one field
     * @param cause   the underlying failure, or null
     */
    public MlopsException(ErrorCode code, String message, String field, Throwable cause) {
        super(message, cause);
        this.code = Objects.requireNonNull(code, "code");
        this.field = field;
    }

    public MlopsException(ErrorCode code, String message) {
        this(code, message, null, null);
    }

    /** The stable error code. */
    public ErrorCode code() {
        return code;
    }

    /** The argument or field the failure is about, when there is one. */
    public Optional<String> field() {
        return Optional.ofNullable(field);
    }

    /** Creates the subclass that matches {@code code}; used where a code travels (CLI, REST). */
    public static MlopsException of(ErrorCode code, String message, String field) {
        return switch (code) {
            case NOT_FOUND -> new NotFoundException(message);
            case ALREADY_EXISTS -> new AlreadyExistsException(message);
            case CONFLICT -> new ConflictException(message);
            case INVALID_ARGUMENT -> new InvalidArgumentException(field, message);
            case PERMISSION_DENIED -> new PermissionDeniedException(message);
            case STORAGE -> new StorageException(message, null);
            case INTEGRITY -> new IntegrityException(message);
        };
    }
}
