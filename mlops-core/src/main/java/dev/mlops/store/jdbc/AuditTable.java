package dev.mlops.store.jdbc;

import dev.mlops.audit.AuditChain;
import dev.mlops.audit.AuditCheckpoint;
import dev.mlops.audit.AuditEvent;
import dev.mlops.spi.PendingAuditEvent;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** The audit chain and its checkpoints, inside the caller's transaction. */
final class AuditTable {
    private AuditTable() {
    }

    /**
     * Seals {@code pending} after the current head and inserts it. Must run in a write transaction, which
     * serialises appends: the head read here is still the head when the event is inserted.
     */
    static AuditEvent append(Connection c, PendingAuditEvent pending) throws SQLException {
        AuditEvent event = AuditChain.seal(head(c).orElse(null), pending);
        Jdbc.update(c, Sql.INSERT_AUDIT_EVENT, Arrays.asList(event.seq(), Jdbc.millis(event.time()), event.actor(),
                event.action(), event.subject(), event.data(), event.dataDigest(), event.prevHash(), event.hash()));
        return event;
    }

    static Optional<AuditEvent> head(Connection c) throws SQLException {
        return first(Jdbc.query(c, Sql.AUDIT_HEAD, List.of(), AuditTable::map));
    }

    static Optional<AuditEvent> event(Connection c, long seq) throws SQLException {
        return first(Jdbc.query(c, Sql.AUDIT_EVENT, List.of(seq), AuditTable::map));
    }

    /** The events with this action and subject whose data is not erased, in seq order. */
    static List<AuditEvent> bySubject(Connection c, String action, String subject) throws SQLException {
        return Jdbc.query(c, Sql.AUDIT_EVENTS_BY_SUBJECT, List.of(action, subject), AuditTable::map);
    }

    static List<AuditEvent> after(Connection c, long afterSeq, int limit) throws SQLException {
        return Jdbc.query(c, Sql.AUDIT_EVENTS_AFTER, List.of(afterSeq, limit), AuditTable::map);
    }

    static void eraseData(Connection c, long seq) throws SQLException {
        Jdbc.update(c, Sql.ERASE_AUDIT_DATA, List.of(seq));
    }

    static void insertCheckpoint(Connection c, AuditCheckpoint cp) throws SQLException {
        Jdbc.update(c, Sql.INSERT_CHECKPOINT, List.of(cp.seq(), cp.hash(), Jdbc.millis(cp.time()), cp.keyId(),
                cp.signature()));
    }

    static List<AuditCheckpoint> checkpoints(Connection c) throws SQLException {
        return Jdbc.query(c, Sql.CHECKPOINTS, List.of(), rs -> new AuditCheckpoint(rs.getLong("seq"),
                rs.getString("hash"), Instant.ofEpochMilli(rs.getLong("time")), rs.getString("key_id"),
                rs.getString("signature")));
    }

    private static AuditEvent map(ResultSet rs) throws SQLException {
        return new AuditEvent(rs.getLong("seq"), Instant.ofEpochMilli(rs.getLong("time")), rs.getString("actor"),
                rs.getString("action"), rs.getString("subject"), rs.getString("data"), rs.getString("data_digest"),
                rs.getString("prev_hash"), rs.getString("hash"));
    }

    private static <T> Optional<T> first(List<T> rows) {
        return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
    }
}
