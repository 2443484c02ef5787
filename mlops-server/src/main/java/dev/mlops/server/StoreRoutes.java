package dev.mlops.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.server.Router.Reply;
import dev.mlops.server.Router.Route;
import dev.mlops.spi.MetadataStore;
import java.util.ArrayList;
import java.util.List;

/** The routes of the protocol: one resource per SPI concept, each calling one {@link MetadataStore} method. */
final class StoreRoutes {
    private final MetadataStore store;
    private final ObjectMapper mapper;
    private final List<Route> routes = new ArrayList<>();

    private StoreRoutes(MetadataStore store, ObjectMapper mapper) {
        this.store = store;
        this.mapper = mapper;
    }

    static List<Route> routes(MetadataStore store, ObjectMapper mapper) {
        StoreRoutes r = new StoreRoutes(store, mapper);
        r.health();
        return List.copyOf(r.routes);
    }

    private void add(String method, String template, Router.Endpoint endpoint) {
        routes.add(new Route(method, template, endpoint));
    }

    private void health() {
        add("GET", "/health", call -> {
            ObjectNode body = mapper.createObjectNode();
            body.put("status", "ok");
            return Reply.ok(body);
        });
    }
}
