/** Dataset versions identified by the SHA-256 of their content, with schema and row count. Start with {@link dev.mlops.data.Datasets}. */
package dev.mlops.data;
