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
        roles = Collections.unmodifiableSet(new TreeSet<>(roles));
    }

    /** The usual guard: an approved version, a governance record, any role with {@code MOVE_ALIAS}. */
    public static AliasGuard approvedOnly() {
        return new AliasGuard(true, true, Set.of());
    }

    /** This guard, also restricted to principals with one of {@code roles}. */
    public AliasGuard withRoles(String... roles) {
        return new AliasGuard(requireApproved, requireGovernance, Set.of(roles));
    }
}
