/** The JDBC metadata store; SQLite ({@code sqlite:PATH}) is the embedded default. */
package dev.mlops.store.jdbc;
