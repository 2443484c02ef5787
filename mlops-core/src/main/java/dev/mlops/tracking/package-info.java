/** Runs: params, metric series, tags, inputs and outputs, heartbeats, search. Start with {@link dev.mlops.tracking.Tracking}. */
package dev.mlops.tracking;
