package dev.mlops.security;

import dev.mlops.InvalidArgumentException;
import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;

/**
 * Who acts: a name (recorded as the actor of every audit event) and the roles it holds.
 *
 * @param name  the principal's name, not blank
 * @param roles its roles, sorted
 */
public record Principal(String name, Set<String> roles) {
    public Principal {
        if (name == null || name.isBlank()) {
            throw new InvalidArgumentException("principal", "a principal needs a name that is not blank");
        }
        if (roles == null) {
            throw new InvalidArgumentException("roles", "roles must not be null (principal " + name + ")");
        }
        for (String role : roles) {
            if (role == null || role.isBlank()) {
                throw new InvalidArgumentException("roles", "role names must not be blank (principal " + name + ")");
            }
        }
        roles = Collections.unmodifiableSet(new TreeSet<>(roles));
    }

    /** A principal with these roles (repeats are ignored). */
    public static Principal of(String name, String... roles) {
        if (roles == null) {
            throw new InvalidArgumentException("roles", "roles must not be null (principal " + name + ")");
        }
        return new Principal(name, new java.util.HashSet<>(java.util.Arrays.asList(roles)));
    }

    public boolean hasRole(String role) {
        return roles.contains(role);
    }
}
