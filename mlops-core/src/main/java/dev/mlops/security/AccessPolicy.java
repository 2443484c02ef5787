package dev.mlops.security;

import dev.mlops.InvalidArgumentException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Who may do what: grants of a {@link Permission} to a role, for one model or for all models. Immutable and
 * thread-safe; checked by the API layer for every store alike.
 *
 * <p>{@link #allowAll()} (the default of {@code Mlops}) allows everything to everyone, so embedded single-user use
 * needs no setup. Any other policy denies whatever it does not grant.
 */
public final class AccessPolicy {
    /** The scope of a grant that covers every model. */
    public static final String ALL_MODELS = "*";

    private static final AccessPolicy ALLOW_ALL = new AccessPolicy(List.of(), true);

    private final List<Grant> grants;
    private final boolean allowAll;

    private AccessPolicy(List<Grant> grants, boolean allowAll) {
        this.grants = List.copyOf(grants);
        this.allowAll = allowAll;
    }

    /** Everything is allowed to everyone (no access control). */
    public static AccessPolicy allowAll() {
        return ALLOW_ALL;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Whether this policy allows everything (no access control configured). */
    public boolean isAllowAll() {
        return allowAll;
    }

    /** The grants, in the order they were added. */
    public List<Grant> grants() {
        return grants;
    }

    /**
     * Whether {@code principal} holds {@code permission} on the model {@code modelName}, or (when {@code modelName}
     * is {@link #ALL_MODELS}) on every model: a grant of the permission or of {@code ADMIN} to one of its roles, for
     * that model or for all.
     */
    public boolean allows(Principal principal, Permission permission, String modelName) {
        Objects.requireNonNull(principal, "principal");
        Objects.requireNonNull(permission, "permission");
        Objects.requireNonNull(modelName, "modelName");
        if (allowAll) {
            return true;
        }
        for (Grant g : grants) {
            if ((g.permission() == permission || g.permission() == Permission.ADMIN)
                    && principal.hasRole(g.role())
                    && (g.model().equals(ALL_MODELS) || g.model().equals(modelName))) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return allowAll ? "AccessPolicy[allowAll]" : "AccessPolicy" + grants;
    }

    /**
     * A permission granted to a role.
     *
     * @param role       the role
     * @param permission what it may do
     * @param model      the model's exact name, or {@link #ALL_MODELS}
     */
    public record Grant(String role, Permission permission, String model) {
        public Grant {
            if (role == null || role.isBlank()) {
                throw new InvalidArgumentException("role", "a grant needs a role that is not blank");
            }
            Objects.requireNonNull(permission, "permission");
            if (model == null || model.isBlank()) {
                throw new InvalidArgumentException("model", "a grant needs a model name or \"*\" for all models");
            }
        }
    }

    /** Builds an {@link AccessPolicy} that denies whatever it does not grant; not thread-safe. */
    public static final class Builder {
        private final List<Grant> grants = new ArrayList<>();

        private Builder() {
        }

        /** Grants {@code permissions} on every model to {@code role}. */
        public Builder grant(String role, Permission... permissions) {
            for (Permission p : permissions) {
                grants.add(new Grant(role, p, ALL_MODELS));
            }
            return this;
        }

        /** Grants {@code permissions} on the model {@code model} to {@code role}. */
        public Builder grantOnModel(String role, String model, Permission... permissions) {
            for (Permission p : permissions) {
                grants.add(new Grant(role, p, model));
            }
            return this;
        }

        public AccessPolicy build() {
            return new AccessPolicy(grants, false);
        }
    }
}
