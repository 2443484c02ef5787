/** Implementation helpers of the performance-decay detectors in {@link dev.mlops.policy}. */
package dev.mlops.internal.policy.detect;
