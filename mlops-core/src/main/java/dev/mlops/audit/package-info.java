/** The tamper-evident audit trail: a SHA-256 hash chain over every change, verification, export, signed checkpoints. Start with {@link dev.mlops.audit.AuditLog}. */
package dev.mlops.audit;
