/**
 * Retraining and promotion policies: conditions evaluated against observations (drift reports, performance metrics,
 * data volume, time), guards (hysteresis, warm-up, cooldown, budget, back-off, time windows, approval), the
 * {@code Decision} they produce, online performance-decay detectors ({@link dev.mlops.policy.ChangeDetector}), and the
 * champion/challenger promotion gate. See docs/policies.md.
 */
package dev.mlops.policy;
