/**
 * Drift statistics. Profiles: {@link dev.mlops.drift.ColumnProfiler} and {@link dev.mlops.drift.DatasetProfiler}
 * build mergeable, serialisable {@link dev.mlops.drift.ColumnProfile}s and {@link dev.mlops.drift.DatasetProfile}s
 * (counts, exact moments, a deterministic KLL quantile sketch, category counts); see docs/drift.md.
 */
package dev.mlops.drift;
