package dev.mlops.internal;

import dev.mlops.ConflictException;
import dev.mlops.MlopsException;
import dev.mlops.PermissionDeniedException;
import dev.mlops.security.AccessPolicy;
import dev.mlops.security.Permission;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The access checks of one {@code Mlops} instance: whether its principal holds a permission under the configured
 * {@link AccessPolicy}, and the audited refusal when it does not. Thread-safe (immutable).
 */
public final class AccessControl {
    private final Context context;

    public AccessControl(Context context) {
        this.context = context;
    }

    /** Whether no access policy is configured (everything allowed). */
    public boolean isOpen() {
        return context.accessPolicy().isAllowAll();
    }

    /** Whether the principal holds {@code permission} on {@code model} ({@link AccessPolicy#ALL_MODELS} for all). */
    public boolean allowed(Permission permission, String model) {
        return context.accessPolicy().allows(context.principal(), permission, model);
    }

    /**
     * Requires {@code permission} on {@code model}; otherwise audits the attempt as {@code access.denied} and throws.
     *
     * @param subject   the audit subject of the refused attempt (for example {@code model:NAME})
     * @param operation what was attempted, for the message and the audit event
     * @throws PermissionDeniedException naming the principal, its roles, the permission and the model
     */
    public void require(Permission permission, String model, String subject, String operation) {
        if (!allowed(permission, model)) {
            String on = AccessPolicy.ALL_MODELS.equals(model) ? "on all models" : "on model " + model;
            throw denied(context.actor() + " (roles " + context.principal().roles() + ") lacks the " + permission
                    + " permission " + on + " needed to " + operation, permission, subject, operation);
        }
    }

    /** Audits a denied attempt as {@code access.denied} and returns the exception to throw. */
    public PermissionDeniedException denied(String message, Permission permission, String subject,
            String operation) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("permission", permission.name());
        data.put("operation", operation);
        data.put("roles", List.copyOf(context.principal().roles()));
        data.put("reason", message);
        PermissionDeniedException e = new PermissionDeniedException(message);
        record("access.denied", subject, data, e);
        return e;
    }

    /** Audits a change a rule forbids as {@code registry.refused} and returns the {@code CONFLICT} to throw. */
    public ConflictException refused(String message, String subject, String operation) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("operation", operation);
        data.put("reason", message);
        ConflictException e = new ConflictException(message);
        record("registry.refused", subject, data, e);
        return e;
    }

    private void record(String action, String subject, Map<String, Object> data, MlopsException e) {
        try {
            context.store().appendAuditEvent(context.audit(action, subject, data));
        } catch (RuntimeException auditFailure) {
            e.addSuppressed(auditFailure);
        }
    }
}
