/**
 * Access control: {@link dev.mlops.security.Principal}s with roles, {@link dev.mlops.security.Permission}s granted
 * per model or for all models by an {@link dev.mlops.security.AccessPolicy}. Enforced by the API layer the same way
 * for every store; a denied action fails with {@code PERMISSION_DENIED} and is audited as {@code access.denied}.
 */
package dev.mlops.security;
