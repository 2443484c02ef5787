/**
 * Implementation of retraining policies: validation, JSON and YAML forms, the pure evaluation
 * ({@link dev.mlops.internal.policy.PolicyEngine}), the guard state and its store, and the stateful evaluator. Not
 * API.
 */
package dev.mlops.internal.policy;
