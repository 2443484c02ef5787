/** The in-memory metadata store ({@code memory:}), for tests and experiments. */
package dev.mlops.store.memory;
