package dev.mlops.registry;

import java.util.Set;
import java.util.TreeSet;
import java.util.Collections;

/**
 * What a guarded alias demands before it may point at a version.
 *
 * @param requireApproved    the version's approval must be {@code APPROVED} (a {@code REJECTED} version can then
 *                           never get the alias)
 * @param requireGovernance  the model's governance record must name a business owner and an approver role
 * @param roles              when not empty, only principals with one of these roles may move or delete the alias
 *                           (checked in addition to the {@code MOVE_ALIAS} permission, and only once an access policy
 *                           is configured)
 */
public record AliasGuard(boolean requireApproved, boolean requireGovernance, Set<String> roles) {
    public AliasGuard {
        if (roles == null) {
            throw new dev.mlops.InvalidArgumentException("roles", "roles must not be null (empty: any role)");
        }
        for (String role : roles) {
            if (role == null || role.isBlank()) {
                throw new dev.mlops.InvalidArgumentException("roles", "role names must not be blank");
            }
        }
        roles = Collections.unmodifiableSet(new TreeSet<>(roles));
    }

    /** The usual guard: an approved version, a governance record, any role with {@code MOVE_ALIAS}. */
    public static AliasGuard approvedOnly() {
        return new AliasGuard(true, true, Set.of());
    }

    /** This guard, also restricted to principals with one of {@code roles}. */
    public AliasGuard withRoles(String... roles) {
        if (roles == null) {
            throw new dev.mlops.InvalidArgumentException("roles", "roles must not be null");
        }
        return new AliasGuard(requireApproved, requireGovernance, new java.util.HashSet<>(java.util.Arrays.asList(
                roles)));
    }
}
