/**
 * The model registry: {@link dev.mlops.registry.RegisteredModel}s with numbered
 * {@link dev.mlops.registry.ModelVersion}s, aliases, approvals and a {@link dev.mlops.registry.Governance} record;
 * the {@link dev.mlops.registry.RegistryPolicy} (four eyes, guarded aliases) and the
 * {@link dev.mlops.registry.ModelResolver} for services.
 */
package dev.mlops.registry;
