/** The lineage graph (dataset, run, artifact, model version), its queries and exports. Start with {@link dev.mlops.lineage.Lineage}. */
package dev.mlops.lineage;
