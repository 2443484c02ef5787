package dev.mlops.store.memory;

/** PLACEHOLDER: replaced by the in-memory store implementation. */
public final class InMemoryStore {
}
