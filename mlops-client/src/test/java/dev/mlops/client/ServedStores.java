package dev.mlops.client;

import dev.mlops.server.MlopsServer;
import dev.mlops.spi.MetadataStore;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Real servers for the kit: each {@link #serve} starts an {@link MlopsServer} on 127.0.0.1, port 0, in front of a
 * backend store and returns a {@link RemoteMetadataStore} talking to it; {@link #release} closes the client, the
 * server and the backend. Not thread-safe (one per test class instance).
 */
final class ServedStores {
    private final Map<MetadataStore, Runnable> stops = new IdentityHashMap<>();

    RemoteMetadataStore serve(MetadataStore backend) {
        MlopsServer server = MlopsServer.builder().store(backend).port(0).build().start();
        RemoteMetadataStore remote = RemoteMetadataStore.builder(server.uri().toString()).build();
        stops.put(remote, () -> {
            server.close();
            backend.close();
        });
        return remote;
    }

    void release(MetadataStore remote) {
        remote.close();
        Runnable stop = stops.remove(remote);
        if (stop != null) {
            stop.run();
        }
    }
}
