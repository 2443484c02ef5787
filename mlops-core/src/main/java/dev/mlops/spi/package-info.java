/** What storage adapters implement: {@link dev.mlops.spi.MetadataStore}, {@link dev.mlops.spi.ArtifactStore} and {@link dev.mlops.spi.StoreProvider}. Test an adapter with the compatibility kit in {@code mlops-tck}. */
package dev.mlops.spi;
