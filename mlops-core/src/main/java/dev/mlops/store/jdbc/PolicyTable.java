package dev.mlops.store.jdbc;

import dev.mlops.ConflictException;
import dev.mlops.Page;
import dev.mlops.spi.PolicyDecisionEntry;
import dev.mlops.spi.PolicyStateEntry;
import dev.mlops.spi.RetrainingRequestEntry;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The state ({@code policy_states}) and decisions ({@code policy_decisions}) of retraining policies, and the
 * retraining requests ({@code retraining_requests}), schema version 4, inside the caller's transaction. Decisions are
 * listed and paginated by seq within (policy, model); states by (policy, model); requests by their creation seq.
 */
final class PolicyTable {
    private static final String STATE_COLUMNS = "policy, model, version, body, updated_time, updated_by";
    private static final String DECISION_COLUMNS = "policy, model, seq, window_id, status, retrain, decided_at, body";
    private static final String INSERT_STATE = Dialect.insert("policy_states", List.of(STATE_COLUMNS.split(", ")));
    private static final String INSERT_DECISION = Dialect.insert("policy_decisions",
            List.of(DECISION_COLUMNS.split(", ")));
    private static final String DECISIONS_TOKEN = "policy_decisions";
    private static final String STATES_TOKEN = "policy_states";
    private static final String REQUEST_COLUMNS = "key, policy, model, window_id, status, attempt, run_id, error,"
            + " requested_time, updated_time, body";
    private static final String REQUESTS_TOKEN = "retraining_requests";

    private PolicyTable() {
    }

    static Optional<PolicyStateEntry> state(Connection c, String policy, String model) throws SQLException {
        List<PolicyStateEntry> rows = Jdbc.query(c, "SELECT " + STATE_COLUMNS
                + " FROM policy_states WHERE policy = ? AND model = ?", List.of(policy, model), PolicyTable::mapState);
        return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
    }

    /**
     * Stores {@code state} if the stored version is {@code expectedVersion} and appends {@code decisions} with the
     * next seqs.
     *
     * @throws ConflictException when the stored version is another
     */
    static void save(Connection c, PolicyStateEntry state, long expectedVersion, List<PolicyDecisionEntry> decisions)
            throws SQLException {
        List<Object> values = List.of(state.policy(), state.model(), state.version(), state.body(),
                Jdbc.millis(state.updatedTime()), state.updatedBy());
        int changed;
        if (expectedVersion == 0) {
            changed = state(c, state.policy(), state.model()).isPresent() ? 0 : Jdbc.update(c, INSERT_STATE, values);
        } else {
            changed = Jdbc.update(c, "UPDATE policy_states SET version = ?, body = ?, updated_time = ?, updated_by = ?"
                    + " WHERE policy = ? AND model = ? AND version = ?", List.of(state.version(), state.body(),
                    Jdbc.millis(state.updatedTime()), state.updatedBy(), state.policy(), state.model(),
                    expectedVersion));
        }
        if (changed != 1) {
            long stored = state(c, state.policy(), state.model()).map(PolicyStateEntry::version).orElse(0L);
            throw new ConflictException("policy '" + state.policy() + "' for model '" + state.model()
                    + "': the stored state has version " + stored + ", not " + expectedVersion
                    + " (another writer saved first)");
        }
        if (decisions.isEmpty()) {
            return;
        }
        long seq = Jdbc.query(c, "SELECT COALESCE(MAX(seq), 0) FROM policy_decisions WHERE policy = ? AND model = ?",
                List.of(state.policy(), state.model()), rs -> rs.getLong(1)).get(0);
        for (PolicyDecisionEntry d : decisions) {
            Jdbc.update(c, INSERT_DECISION, List.of(d.policy(), d.model(), ++seq, d.windowId(), d.status(),
                    d.retrain(), Jdbc.millis(d.decidedAt()), d.body()));
        }
    }

    static Optional<PolicyDecisionEntry> decision(Connection c, String policy, String model, String windowId)
            throws SQLException {
        List<PolicyDecisionEntry> rows = Jdbc.query(c, "SELECT " + DECISION_COLUMNS + " FROM policy_decisions"
                + " WHERE policy = ? AND model = ? AND window_id = ? AND status <> ? ORDER BY seq DESC LIMIT 1",
                List.of(policy, model, windowId, PolicyDecisionEntry.FAILED), PolicyTable::mapDecision);
        return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
    }

    static Page<PolicyDecisionEntry> decisions(Connection c, String policy, String model, int size, String token)
            throws SQLException {
        long after = 0;
        if (token != null) {
            PageToken.Position p = PageToken.decode(DECISIONS_TOKEN, token, 1);
            after = p.number(0);
            if (after < 1) {
                throw PageToken.malformed(token);
            }
        }
        List<PolicyDecisionEntry> rows = Jdbc.query(c, "SELECT " + DECISION_COLUMNS + " FROM policy_decisions"
                + " WHERE policy = ? AND model = ? AND seq > ? ORDER BY seq LIMIT ?",
                List.of(policy, model, after, size + 1), PolicyTable::mapDecision);
        String next = null;
        if (rows.size() > size) {
            rows = new ArrayList<>(rows.subList(0, size));
            next = PageToken.encode(DECISIONS_TOKEN, rows.get(size - 1).seq());
        }
        return new Page<>(rows, next);
    }

    static Page<PolicyStateEntry> states(Connection c, int size, String token) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT ").append(STATE_COLUMNS).append(" FROM policy_states");
        List<Object> args = new ArrayList<>();
        if (token != null) {
            PageToken.Position p = PageToken.decode(STATES_TOKEN, token, 2);
            long length = p.number(0);
            String rest = p.text(1);
            if (length < 1 || length >= rest.length()) {
                throw PageToken.malformed(token);
            }
            String policy = rest.substring(0, (int) length);
            sql.append(" WHERE policy > ? OR (policy = ? AND model > ?)");
            args.add(policy);
            args.add(policy);
            args.add(rest.substring((int) length));
        }
        sql.append(" ORDER BY policy, model LIMIT ?");
        args.add(size + 1);
        List<PolicyStateEntry> rows = Jdbc.query(c, sql.toString(), args, PolicyTable::mapState);
        String next = null;
        if (rows.size() > size) {
            rows = new ArrayList<>(rows.subList(0, size));
            PolicyStateEntry last = rows.get(size - 1);
            next = PageToken.encode(STATES_TOKEN, last.policy().length(), last.policy() + last.model());
        }
        return new Page<>(rows, next);
    }

    private static PolicyStateEntry mapState(ResultSet rs) throws SQLException {
        return new PolicyStateEntry(rs.getString("policy"), rs.getString("model"), rs.getLong("version"),
                rs.getString("body"), Jdbc.instant(rs, "updated_time"), rs.getString("updated_by"));
    }

    private static PolicyDecisionEntry mapDecision(ResultSet rs) throws SQLException {
        return new PolicyDecisionEntry(rs.getString("policy"), rs.getString("model"), rs.getLong("seq"),
                rs.getString("window_id"), rs.getString("status"), rs.getBoolean("retrain"),
                Jdbc.instant(rs, "decided_at"), rs.getString("body"));
    }

    // ---- retraining requests --------------------------------------------------------------------------------------

    static Optional<RetrainingRequestEntry> request(Connection c, String key) throws SQLException {
        List<RetrainingRequestEntry> rows = Jdbc.query(c, "SELECT " + REQUEST_COLUMNS
                + " FROM retraining_requests WHERE key = ?", List.of(key), PolicyTable::mapRequest);
        return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
    }

    static void insert(Connection c, RetrainingRequestEntry r) throws SQLException {
        long seq = Jdbc.query(c, "SELECT COALESCE(MAX(seq), 0) FROM retraining_requests", List.of(),
                rs -> rs.getLong(1)).get(0) + 1;
        Jdbc.update(c, "INSERT INTO retraining_requests (seq, " + REQUEST_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?,"
                + " ?, ?, ?, ?, ?)", java.util.Arrays.asList(seq, r.key(), r.policy(), r.model(), r.windowId(),
                r.status(), r.attempt(), r.runId(), r.error(), Jdbc.millis(r.requestedTime()),
                Jdbc.millis(r.updatedTime()), r.body()));
    }

    /** Replaces the request if its stored status and attempt are the expected ones; returns whether it did. */
    static boolean update(Connection c, RetrainingRequestEntry r, String expectedStatus, int expectedAttempt)
            throws SQLException {
        return Jdbc.update(c, "UPDATE retraining_requests SET status = ?, attempt = ?, run_id = ?, error = ?,"
                + " updated_time = ?, body = ? WHERE key = ? AND status = ? AND attempt = ?",
                java.util.Arrays.asList(r.status(), r.attempt(), r.runId(), r.error(), Jdbc.millis(r.updatedTime()),
                        r.body(), r.key(), expectedStatus, expectedAttempt)) == 1;
    }

    static Page<RetrainingRequestEntry> requests(Connection c, String policy, String model, Set<String> statuses,
            int size, String token) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT seq, ").append(REQUEST_COLUMNS)
                .append(" FROM retraining_requests WHERE seq > ?");
        List<Object> args = new ArrayList<>();
        long after = 0;
        if (token != null) {
            after = PageToken.decode(REQUESTS_TOKEN, token, 1).number(0);
            if (after < 1) {
                throw PageToken.malformed(token);
            }
        }
        args.add(after);
        if (policy != null) {
            sql.append(" AND policy = ?");
            args.add(policy);
        }
        if (model != null) {
            sql.append(" AND model = ?");
            args.add(model);
        }
        if (!statuses.isEmpty()) {
            List<String> sorted = new ArrayList<>(new java.util.TreeSet<>(statuses));
            sql.append(" AND status IN (").append(String.join(", ", java.util.Collections.nCopies(sorted.size(),
                    "?"))).append(")");
            args.addAll(sorted);
        }
        sql.append(" ORDER BY seq LIMIT ?");
        args.add(size + 1);
        List<long[]> seqs = new ArrayList<>();
        List<RetrainingRequestEntry> rows = Jdbc.query(c, sql.toString(), args, rs -> {
            seqs.add(new long[] {rs.getLong("seq")});
            return mapRequest(rs);
        });
        String next = null;
        if (rows.size() > size) {
            rows = new ArrayList<>(rows.subList(0, size));
            next = PageToken.encode(REQUESTS_TOKEN, seqs.get(size - 1)[0]);
        }
        return new Page<>(rows, next);
    }

    private static RetrainingRequestEntry mapRequest(ResultSet rs) throws SQLException {
        return new RetrainingRequestEntry(rs.getString("key"), rs.getString("policy"), rs.getString("model"),
                rs.getString("window_id"), rs.getString("status"), rs.getInt("attempt"), rs.getString("run_id"),
                rs.getString("error"), Jdbc.instant(rs, "requested_time"), Jdbc.instant(rs, "updated_time"),
                rs.getString("body"));
    }
}
