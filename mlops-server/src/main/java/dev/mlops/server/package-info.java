/**
 * The reference server: {@link dev.mlops.server.MlopsServer} exposes any {@link dev.mlops.spi.MetadataStore} (and
 * optionally an {@link dev.mlops.spi.ArtifactStore}) over the mlops REST protocol on an embedded Jetty; the class
 * {@code Main} of this package is the runnable jar's entry point. The protocol is described in docs/protocol.md and in
 * the OpenAPI document {@code openapi.yaml} on this module's class path.
 */
package dev.mlops.server;
