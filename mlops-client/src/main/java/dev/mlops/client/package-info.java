/**
 * The remote store: {@link dev.mlops.client.RemoteMetadataStore} speaks the mlops REST protocol over OkHttp, and
 * {@link dev.mlops.client.RemoteStoreProvider} opens {@code http://} and {@code https://} store URIs, so that
 * {@code Mlops.open("http://host:port")} works with this module on the class path.
 */
package dev.mlops.client;
