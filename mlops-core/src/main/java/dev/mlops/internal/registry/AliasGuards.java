package dev.mlops.internal.registry;

import dev.mlops.registry.AliasGuard;
import dev.mlops.registry.ApprovalStatus;
import dev.mlops.registry.ModelVersion;
import dev.mlops.registry.RegisteredModel;
import dev.mlops.security.Principal;
import java.util.Optional;

/**
 * The evaluation of a guarded alias ({@link AliasGuard}), shared by the embedded registry
 * ({@link DefaultModelRegistry}) and the server, so that both refuse the same changes with the same messages. The
 * callers decide what a problem becomes: a role problem is a {@code PERMISSION_DENIED} audited as
 * {@code access.denied}, a state problem a {@code CONFLICT} audited as {@code registry.refused}. Stateless and
 * thread-safe; arguments are non-null.
 */
public final class AliasGuards {
    private AliasGuards() {
    }

    /** The operation of moving {@code alias} to {@code version}, as audit events and messages name it. */
    public static String setOperation(String alias, int version) {
        return "set alias " + alias + " to version " + version;
    }

    /** The operation of deleting {@code alias}, as audit events and messages name it. */
    public static String deleteOperation(String alias) {
        return "delete alias " + alias;
    }

    /**
     * Why {@code principal} may not move or delete the guarded {@code alias}: empty when the guard names no roles or
     * the principal holds one of them. Only meaningful once an access policy applies (the caller skips it otherwise).
     */
    public static Optional<String> roleProblem(AliasGuard guard, String alias, Principal principal) {
        if (guard.roles().isEmpty()) {
            return Optional.empty();
        }
        for (String role : guard.roles()) {
            if (principal.hasRole(role)) {
                return Optional.empty();
            }
        }
        return Optional.of("alias '" + alias + "' is guarded: only the roles " + guard.roles() + " may move it, and "
                + principal.name() + " holds " + principal.roles());
    }

    /**
     * Why the guarded {@code alias} of {@code model} may not point at {@code target} (a version of that model): its
     * approval is not {@code APPROVED} when the guard requires it, or else the model's governance record lacks a
     * business owner or an approver role when the guard requires one. Empty when the guard is satisfied.
     */
    public static Optional<String> stateProblem(AliasGuard guard, RegisteredModel model, ModelVersion target,
            String alias) {
        if (guard.requireApproved() && target.approval().status() != ApprovalStatus.APPROVED) {
            return Optional.of("alias '" + alias + "' is guarded and may only point at an APPROVED version; version "
                    + target.version() + " of model " + model.name() + " is "
                    + target.approval().status().name());
        }
        if (guard.requireGovernance() && (isBlank(model.governance().businessOwner())
                || isBlank(model.governance().approverRole()))) {
            return Optional.of("alias '" + alias + "' is guarded and needs the governance record of model "
                    + model.name() + " to name a business owner and an approver role (set them with setGovernance)");
        }
        return Optional.empty();
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }
}
