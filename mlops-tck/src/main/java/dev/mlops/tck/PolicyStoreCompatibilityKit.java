package dev.mlops.tck;

import static dev.mlops.tck.KitSupport.allAuditEvents;
import static dev.mlops.tck.KitSupport.assertChainIntact;
import static dev.mlops.tck.KitSupport.readAll;
import static dev.mlops.tck.KitSupport.runConcurrently;
import static dev.mlops.tck.TckData.at;
import static dev.mlops.tck.TckData.audit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.mlops.ConflictException;
import dev.mlops.Created;
import dev.mlops.NotFoundException;
import dev.mlops.ErrorCode;
import dev.mlops.InvalidArgumentException;
import dev.mlops.Mlops;
import dev.mlops.MlopsException;
import dev.mlops.PageRequest;
import dev.mlops.StorageException;
import dev.mlops.audit.AuditChain;
import dev.mlops.audit.AuditEvent;
import dev.mlops.policy.Condition;
import dev.mlops.policy.Decision;
import dev.mlops.policy.Guards;
import dev.mlops.policy.Observation;
import dev.mlops.policy.RetrainingPolicies;
import dev.mlops.policy.RetrainingPolicy;
import dev.mlops.spi.MetadataStore;
import dev.mlops.spi.PendingAuditEvent;
import dev.mlops.spi.PolicyDecisionEntry;
import dev.mlops.spi.PolicyStateEntry;
import dev.mlops.spi.RetrainingRequestEntry;
import dev.mlops.tck.KitSupport.Outcome;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The groups of the kit about the state and decisions of retraining policies ({@link MetadataStore#savePolicyState}
 * and its neighbours, and {@code Mlops.policies()} over the store): round trips, compare-and-set, state, decisions
 * and audit events saved together, the current decision of a window, paging and ordering, concurrent writers, bad
 * input and calls after close. Extend {@link MetadataStoreCompatibilityKit}, which includes these groups, rather
 * than this class.
 */
public abstract class PolicyStoreCompatibilityKit extends ProfileStoreCompatibilityKit {

    /** The policy most tests use. */
    static final String POLICY = "nightly";
    /** The model most tests use. */
    static final String MODEL = "churn";

    static List<String> policyCallsAfterClose() {
        return PoliciesAfterClose.CALLS;
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    static PolicyStateEntry stateEntry(String policy, String model, long version) {
        return new PolicyStateEntry(policy, model, version, "{\"format\":\"tck.state\",\"version\":" + version
                + ",\"note\":\"caf\u00e9 \u6771\u4eac\"}", at(100 + version), "alice");
    }

    static PolicyStateEntry stateEntry(long version) {
        return stateEntry(POLICY, MODEL, version);
    }

    /** A decision of (policy, model) for {@code window}; the seq is left to the store. */
    static PolicyDecisionEntry decisionEntry(String policy, String model, String window, String status, long n) {
        return new PolicyDecisionEntry(policy, model, 0, window, status, status.equals("retrain"), at(200 + n),
                "{\"format\":\"tck.decision\",\"n\":" + n + ",\"window\":\"" + window + "\"}");
    }

    static PolicyDecisionEntry decisionEntry(String window, String status, long n) {
        return decisionEntry(POLICY, MODEL, window, status, n);
    }

    static PendingAuditEvent decided(String window) {
        return audit("policy.decided", "retraining:" + POLICY + "/" + MODEL + "/" + window,
                "{\"window\":\"" + window + "\"}");
    }

    /** Saves the next version of (POLICY, MODEL) with {@code decisions}, one audit event per decision. */
    void saveNext(List<PolicyDecisionEntry> decisions) {
        long version = store.getPolicyState(POLICY, MODEL).map(PolicyStateEntry::version).orElse(0L);
        List<PendingAuditEvent> events = new ArrayList<>();
        for (PolicyDecisionEntry d : decisions) {
            events.add(decided(d.windowId()));
        }
        if (events.isEmpty()) {
            events.add(audit("policy.result_recorded", "model:" + MODEL));
        }
        store.savePolicyState(stateEntry(version + 1), version, decisions, events);
    }

    List<PolicyDecisionEntry> decisions(String policy, String model, int pageSize) {
        return readAll(p -> store.listPolicyDecisions(policy, model, p), pageSize);
    }

    /** Everything a client can read about the policy state of (POLICY, MODEL), and the audit chain. */
    List<Object> policyState() {
        List<Object> state = new ArrayList<>();
        state.add(store.getPolicyState(POLICY, MODEL));
        state.add(decisions(POLICY, MODEL, 1000));
        state.add(readAll(store::listPolicyStates, 1000));
        state.add(allAuditEvents(store));
        return state;
    }

    /** A new request for (policy, model, window), created at {@code at(n)}. */
    static RetrainingRequestEntry request(String policy, String model, String window, long n) {
        return new RetrainingRequestEntry(policy + "/" + model + "/" + window, policy, model, window,
                RetrainingRequestEntry.REQUESTED, 0, null, null, at(n), at(n), "{\"format\":\"tck.request\","
                + "\"window\":\"" + window + "\",\"status\":\"requested\"}");
    }

    static RetrainingRequestEntry moved(RetrainingRequestEntry r, String status, int attempt, String runId,
            String error, long n) {
        return new RetrainingRequestEntry(r.key(), r.policy(), r.model(), r.windowId(), status, attempt, runId, error,
                r.requestedTime(), at(n), "{\"format\":\"tck.request\",\"status\":\"" + status + "\"}");
    }

    static PendingAuditEvent requestEvent(RetrainingRequestEntry r) {
        return audit("retraining." + r.status(), "retraining:" + r.key());
    }

    RetrainingRequestEntry created(RetrainingRequestEntry r) {
        Created<RetrainingRequestEntry> c = store.createRetrainingRequest(r, requestEvent(r));
        assertThat(c.created()).as("created flag of request %s", r.key()).isTrue();
        return c.value();
    }

    List<RetrainingRequestEntry> requests(String policy, String model, Set<String> statuses, int pageSize) {
        return readAll(p -> store.listRetrainingRequests(policy, model, statuses, p), pageSize);
    }

    /** A clock tests move by hand. Thread-safe. */
    static final class ManualClock extends Clock {
        private final AtomicReference<Instant> now;

        ManualClock(Instant start) {
            now = new AtomicReference<>(start);
        }

        void advance(Duration d) {
            now.updateAndGet(t -> t.plus(d));
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    }

    /** Fires when accuracy is below 0.8; at least 24 hours between retrains. */
    static final RetrainingPolicy COOLDOWN_POLICY = RetrainingPolicy.builder(POLICY)
            .anyOf(Condition.metricBelow("accuracy", 0.8))
            .cooldown(Duration.ofHours(24), 0)
            .build();

    static Observation low(String window) {
        return Observation.builder(window, at(0), MODEL).metric("accuracy", 0.5).rows(100).build();
    }

    static Mlops mlops(MetadataStore over, Clock clock, String actor) {
        return Mlops.builder().store(over).artifactUri("memory:").actor(actor).clock(clock).build();
    }

    // ---- tests ------------------------------------------------------------------------------------------------

    @Nested
    @DisplayName("policy state: saving and reading")
    class PolicySaving {

        @Test
        @DisplayName("a saved state and its decisions read back as given, with seqs 1, 2, ... in the order given,"
                + " and the audit events appended in order")
        void roundTrip() {
            assertThat(store.getPolicyState(POLICY, MODEL)).isEmpty();
            AuditEvent before = head();
            PolicyDecisionEntry d1 = decisionEntry("w1", "held", 1);
            PolicyDecisionEntry d2 = decisionEntry("w2", "retrain", 2);
            PendingAuditEvent e1 = decided("w1");
            PendingAuditEvent e2 = decided("w2");
            store.savePolicyState(stateEntry(1), 0, List.of(d1, d2), List.of(e1, e2));

            assertThat(store.getPolicyState(POLICY, MODEL)).contains(stateEntry(1));
            assertThat(decisions(POLICY, MODEL, 10)).containsExactly(d1.withSeq(1), d2.withSeq(2));
            AuditEvent sealed1 = AuditChain.seal(before, e1);
            assertThat(store.auditHead()).contains(AuditChain.seal(sealed1, e2));
            assertChainIntact(allAuditEvents(store));
            assertThat(store.findPolicyDecision(POLICY, MODEL, "w2")).contains(d2.withSeq(2));
        }

        @Test
        @DisplayName("a later save replaces the state and continues the seqs; a save with no decision keeps the"
                + " log")
        void laterSaves() {
            store.savePolicyState(stateEntry(1), 0, List.of(decisionEntry("w1", "no_retrain", 1)),
                    List.of(decided("w1")));
            saveNext(List.of());
            saveNext(List.of(decisionEntry("w2", "retrain", 2), decisionEntry("w3", "held", 3)));
            assertThat(store.getPolicyState(POLICY, MODEL)).contains(stateEntry(3));
            assertThat(decisions(POLICY, MODEL, 10)).extracting(PolicyDecisionEntry::seq).containsExactly(1L, 2L,
                    3L);
            assertThat(decisions(POLICY, MODEL, 10)).extracting(PolicyDecisionEntry::windowId)
                    .containsExactly("w1", "w2", "w3");
            assertThat(allAuditEvents(store)).hasSize(4);
        }

        @Test
        @DisplayName("bodies are kept character for character (non-ASCII text, escapes, 1 MB); times to the"
                + " millisecond, before 1970 too")
        void bodiesAndTimes() {
            StringBuilder big = new StringBuilder("{\"format\":\"x\",\"pad\":\"");
            SplittableRandom random = new SplittableRandom(11);
            List<String> pieces = List.of("abc", "\u00e9", "\u6771", "\ud83d\ude00", "\\\"", "\\n", " ", "\\\\");
            while (big.length() < 1_000_000) {
                big.append(pieces.get(random.nextInt(pieces.size())));
            }
            String body = big.append("\"}").toString();
            Instant early = Instant.parse("1969-12-31T23:59:59.999Z");
            PolicyStateEntry state = new PolicyStateEntry(POLICY, MODEL, 1, body, early, "z\u00fcrich");
            PolicyDecisionEntry d = new PolicyDecisionEntry(POLICY, MODEL, 0, "2014-03 \u6771", "awaiting_approval",
                    false, Instant.parse("2026-03-01T00:00:00.123Z"), body);
            store.savePolicyState(state, 0, List.of(d), List.of(decided("w")));
            assertThat(store.getPolicyState(POLICY, MODEL)).contains(state);
            assertThat(store.findPolicyDecision(POLICY, MODEL, "2014-03 \u6771")).contains(d.withSeq(1));
        }

        @Test
        @DisplayName("(policy, model) is exact: other policies and models, names differing in case or by a prefix,"
                + " have their own state and log")
        void keysAreExact() {
            store.savePolicyState(stateEntry(1), 0, List.of(decisionEntry("w1", "retrain", 1)),
                    List.of(decided("w1")));
            for (String[] other : new String[][] {{"Nightly", MODEL}, {"nightly-2", MODEL}, {POLICY, "churn-eu"},
                    {POLICY, "Churn"}, {"night", MODEL}}) {
                assertThat(store.getPolicyState(other[0], other[1])).as("%s/%s", other[0], other[1]).isEmpty();
                assertThat(store.findPolicyDecision(other[0], other[1], "w1")).isEmpty();
                assertThat(decisions(other[0], other[1], 10)).isEmpty();
            }
            store.savePolicyState(stateEntry(POLICY, "churn-eu", 1), 0,
                    List.of(decisionEntry(POLICY, "churn-eu", "w1", "held", 9)), List.of(decided("w1")));
            assertThat(store.findPolicyDecision(POLICY, "churn-eu", "w1").orElseThrow().status()).isEqualTo("held");
            assertThat(store.findPolicyDecision(POLICY, MODEL, "w1").orElseThrow().status()).isEqualTo("retrain");
        }
    }

    @Nested
    @DisplayName("policy state: compare-and-set")
    class CompareAndSet {

        @ParameterizedTest(name = "expected version {0}")
        @ValueSource(longs = {0, 2, 5})
        @DisplayName("a save whose expected version is not the stored one is CONFLICT naming the policy, the model"
                + " and both versions; nothing is stored and no event appended")
        void staleVersion(long expected) {
            saveNext(List.of(decisionEntry("w1", "retrain", 1)));
            List<Object> before = policyState();
            Throwable thrown = catchThrowable(() -> store.savePolicyState(stateEntry(expected + 1), expected,
                    List.of(decisionEntry("w2", "retrain", 2)), List.of(decided("w2"))));
            assertThat(thrown).isInstanceOf(ConflictException.class).hasMessageContaining(POLICY)
                    .hasMessageContaining(MODEL).hasMessageContaining("version 1")
                    .hasMessageContaining(String.valueOf(expected));
            assertThat(policyState()).isEqualTo(before);
            assertThat(store.findPolicyDecision(POLICY, MODEL, "w2")).isEmpty();
        }

        @Test
        @DisplayName("a save with an expected version on a key never saved is CONFLICT")
        void nothingStoredYet() {
            List<Object> before = policyState();
            assertThatThrownBy(() -> store.savePolicyState(stateEntry(2), 1, List.of(), List.of(decided("w"))))
                    .isInstanceOf(ConflictException.class).hasMessageContaining("version 0");
            assertThat(policyState()).isEqualTo(before);
        }

        @Test
        @DisplayName("eight threads saving over the same version: exactly one wins, the others get CONFLICT; one"
                + " decision and one event are stored")
        void racingWriters() throws Exception {
            saveNext(List.of(decisionEntry("w0", "no_retrain", 0)));
            long eventsBefore = KitSupport.auditSize(store);
            List<Outcome<Integer>> outcomes = runConcurrently(8, t -> Outcome.of(() -> {
                store.savePolicyState(stateEntry(2), 1, List.of(decisionEntry("w1", "retrain", 10 + t)),
                        List.of(decided("w1")));
                return t;
            }));
            assertThat(outcomes).filteredOn(Outcome::succeeded).hasSize(1);
            assertThat(outcomes).filteredOn(o -> !o.succeeded()).extracting(Outcome::error)
                    .containsOnly(ErrorCode.CONFLICT).hasSize(7);
            int winner = outcomes.stream().filter(Outcome::succeeded).findFirst().orElseThrow().value();
            assertThat(decisions(POLICY, MODEL, 100)).containsExactly(decisionEntry("w0", "no_retrain", 0)
                    .withSeq(1), decisionEntry("w1", "retrain", 10 + winner).withSeq(2));
            assertThat(KitSupport.auditSize(store)).isEqualTo(eventsBefore + 1);
            assertChainIntact(allAuditEvents(store));
        }
    }

    @Nested
    @DisplayName("policy state: decisions of a window")
    class WindowDecisions {

        @Test
        @DisplayName("a window's current decision is its latest that did not fail: an approval replaces an awaiting"
                + " decision, a failed evaluation is never current")
        void currentDecision() {
            saveNext(List.of(decisionEntry("w1", "failed", 1)));
            assertThat(store.findPolicyDecision(POLICY, MODEL, "w1")).isEmpty();
            saveNext(List.of(decisionEntry("w1", "awaiting_approval", 2)));
            assertThat(store.findPolicyDecision(POLICY, MODEL, "w1").orElseThrow().seq()).isEqualTo(2);
            saveNext(List.of(decisionEntry("w1", "retrain", 3)));
            assertThat(store.findPolicyDecision(POLICY, MODEL, "w1"))
                    .contains(decisionEntry("w1", "retrain", 3).withSeq(3));
            saveNext(List.of(decisionEntry("w1", "failed", 4)));
            assertThat(store.findPolicyDecision(POLICY, MODEL, "w1").orElseThrow().seq()).isEqualTo(3);
            assertThat(store.findPolicyDecision(POLICY, MODEL, "w2")).isEmpty();
            assertThat(store.findPolicyDecision(POLICY, MODEL, "W1")).isEmpty();
            assertThat(decisions(POLICY, MODEL, 2)).extracting(PolicyDecisionEntry::status)
                    .containsExactly("failed", "awaiting_approval", "retrain", "failed");
        }
    }

    @Nested
    @DisplayName("policy state: listings")
    class PolicyListings {

        @ParameterizedTest(name = "page size {0}")
        @ValueSource(ints = {1, 3, 7, 100})
        @DisplayName("decisions are listed by seq, every decision exactly once, whatever the page size")
        void decisionsInOrder(int pageSize) {
            SplittableRandom random = new SplittableRandom(pageSize);
            List<PolicyDecisionEntry> expected = new ArrayList<>();
            long n = 0;
            for (int save = 0; save < 8; save++) {
                List<PolicyDecisionEntry> batch = new ArrayList<>();
                for (int i = random.nextInt(4); i > 0; i--) {
                    // decided_at goes back and forth: the order is the order saved, not the time
                    PolicyDecisionEntry d = decisionEntry("w" + random.nextInt(5), "held", 50 - n);
                    batch.add(d);
                    expected.add(d.withSeq(++n));
                }
                saveNext(batch);
            }
            assertThat(decisions(POLICY, MODEL, pageSize)).containsExactlyElementsOf(expected);
        }

        @Test
        @DisplayName("decisions saved while paging do not make the listing skip or repeat the ones it started with")
        void pagingWhileSaving() {
            saveNext(LongStream.rangeClosed(1, 5).mapToObj(i -> decisionEntry("w" + i, "no_retrain", i)).toList());
            List<PolicyDecisionEntry> seen = new ArrayList<>();
            PageRequest page = PageRequest.first(2);
            while (true) {
                var p = store.listPolicyDecisions(POLICY, MODEL, page);
                seen.addAll(p.items());
                saveNext(List.of(decisionEntry("x" + seen.size(), "held", 100 + seen.size())));
                if (p.nextPageToken() == null) {
                    break;
                }
                page = page.next(p);
            }
            assertThat(seen).extracting(PolicyDecisionEntry::seq).startsWith(1L, 2L, 3L, 4L, 5L).doesNotHaveDuplicates()
                    .isSorted();
        }

        @ParameterizedTest(name = "page size {0}")
        @ValueSource(ints = {1, 2, 5, 100})
        @DisplayName("states are listed by policy, then model, each pair once (names that prefix others included)")
        void statesInOrder(int pageSize) {
            String[][] keys = {{"b", "m"}, {"a", "z"}, {"ab", "a"}, {"a", "m|x"}, {"a", "m"}, {"a:b", "c"}};
            for (String[] k : keys) {
                store.savePolicyState(stateEntry(k[0], k[1], 1), 0, List.of(),
                        List.of(audit("policy.result_recorded", "model:" + k[1])));
            }
            assertThat(readAll(store::listPolicyStates, pageSize))
                    .extracting(e -> e.policy() + "/" + e.model())
                    .containsExactly("a/m", "a/m|x", "a/z", "a:b/c", "ab/a", "b/m");
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"%%%", "AAAA", "cmVwb3J0", "czE6OTk6eA"})
        @DisplayName("a page token that is not one of this listing is INVALID_ARGUMENT on field pageToken")
        void malformedTokens(String token) {
            saveNext(List.of(decisionEntry("w1", "held", 1), decisionEntry("w2", "held", 2)));
            for (Runnable call : List.<Runnable>of(
                    () -> store.listPolicyDecisions(POLICY, MODEL, new PageRequest(1, token)),
                    () -> store.listPolicyStates(new PageRequest(1, token)))) {
                assertThatThrownBy(call::run).isInstanceOfSatisfying(InvalidArgumentException.class,
                        e -> assertThat(e.field()).contains("pageToken"));
            }
        }
    }

    @Nested
    @DisplayName("policy state: bad input")
    class PolicyBadInput {

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"version not expected + 1", "version equal to expected", "negative expected",
            "decision of another model", "decision of another policy", "no audit event"})
        @DisplayName("a save that contradicts itself is INVALID_ARGUMENT naming the field; nothing is stored")
        void contradictions(String bad) {
            saveNext(List.of(decisionEntry("w1", "held", 1)));
            List<Object> before = policyState();
            String field = switch (bad) {
                case "version not expected + 1", "version equal to expected", "negative expected" -> "version";
                case "no audit event" -> "audit";
                default -> "decisions";
            };
            Throwable thrown = catchThrowable(() -> {
                switch (bad) {
                    case "version not expected + 1" -> store.savePolicyState(stateEntry(3), 1, List.of(),
                            List.of(decided("w")));
                    case "version equal to expected" -> store.savePolicyState(stateEntry(1), 1, List.of(),
                            List.of(decided("w")));
                    case "negative expected" -> store.savePolicyState(stateEntry(1), -1, List.of(),
                            List.of(decided("w")));
                    case "decision of another model" -> store.savePolicyState(stateEntry(2), 1,
                            List.of(decisionEntry(POLICY, "fraud", "w2", "held", 2)), List.of(decided("w2")));
                    case "decision of another policy" -> store.savePolicyState(stateEntry(2), 1,
                            List.of(decisionEntry("weekly", MODEL, "w2", "held", 2)), List.of(decided("w2")));
                    case "no audit event" -> store.savePolicyState(stateEntry(2), 1, List.of(), List.of());
                    default -> throw new IllegalArgumentException(bad);
                }
            });
            assertThat(thrown).isInstanceOfSatisfying(InvalidArgumentException.class,
                    e -> assertThat(e.field()).contains(field));
            assertThat(policyState()).isEqualTo(before);
        }

        @Test
        @DisplayName("entries refuse a version below 1 and missing fields")
        void entries() {
            assertThatThrownBy(() -> stateEntry(0)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("at least 1");
            assertThatThrownBy(() -> new PolicyDecisionEntry(POLICY, MODEL, 0, null, "held", false, at(0), "{}"))
                    .isInstanceOf(NullPointerException.class).hasMessageContaining("windowId");
        }
    }

    @Nested
    @DisplayName("policies through Mlops.policies()")
    class PoliciesThroughTheApi {

        @Test
        @DisplayName("a retrain, then windows held by the cooldown; a new Mlops over the store remembers the"
                + " cooldown and returns a decided window's stored decision; after the cooldown it fires again")
        void cooldownAcrossInstances() {
            ManualClock clock = new ManualClock(at(0));
            Decision fired;
            try (Mlops mlops = mlops(store, clock, "carol")) {
                fired = mlops.policies().evaluate(COOLDOWN_POLICY, low("w1"));
                assertThat(fired.status()).isEqualTo(Decision.Status.RETRAIN);
            }
            clock.advance(Duration.ofHours(6));
            try (Mlops mlops = mlops(store, clock, "carol")) {
                RetrainingPolicies policies = mlops.policies();
                Decision held = policies.evaluate(COOLDOWN_POLICY, low("w2"));
                assertThat(held.status()).isEqualTo(Decision.Status.HELD);
                assertThat(held.heldBy()).contains(Guards.Guard.COOLDOWN);
                assertThat(held.guard(Guards.Guard.COOLDOWN).orElseThrow().reason()).isEqualTo("21600 s since the"
                        + " last retrain at " + at(0) + " (window 'w1'), minimum 86400 s; 100 rows since, minimum 0");
                assertThat(policies.evaluate(COOLDOWN_POLICY, low("w1"))).isEqualTo(fired);
                clock.advance(Duration.ofHours(18));
                assertThat(policies.evaluate(COOLDOWN_POLICY, low("w3")).status()).isEqualTo(Decision.Status.RETRAIN);
                assertThat(policies.decisions(POLICY, MODEL)).extracting(Decision::windowId)
                        .containsExactly("w1", "w2", "w3");
                assertThat(policies.decision(POLICY, MODEL, "w2")).contains(held);
            }
            assertThat(store.getPolicyState(POLICY, MODEL).orElseThrow().version()).isEqualTo(3);
        }

        @Test
        @DisplayName("each decision appends one policy.decided event on retraining:policy/model/window naming the"
                + " policy, model, window, status, retrain and the holding guard, by the instance's actor; an"
                + " approval's event is by the approver")
        void auditEvents() {
            RetrainingPolicy approved = RetrainingPolicy.builder("gated")
                    .anyOf(Condition.metricBelow("accuracy", 0.8)).approval(true).build();
            ManualClock clock = new ManualClock(at(0));
            try (Mlops mlops = mlops(store, clock, "carol")) {
                RetrainingPolicies policies = mlops.policies();
                policies.evaluate(COOLDOWN_POLICY, low("w1"));
                clock.advance(Duration.ofHours(1));
                policies.evaluate(COOLDOWN_POLICY, low("w2"));
                policies.evaluate(approved, low("w1"));
                clock.advance(Duration.ofHours(1));
                Decision ok = policies.approve(approved, MODEL, "w1", "dora");
                assertThat(ok.actor()).contains("dora");
            }
            List<AuditEvent> events = allAuditEvents(store);
            assertThat(events).extracting(AuditEvent::action).containsOnly("policy.decided").hasSize(4);
            assertThat(events).extracting(AuditEvent::subject).containsExactly("retraining:nightly/churn/w1",
                    "retraining:nightly/churn/w2", "retraining:gated/churn/w1", "retraining:gated/churn/w1");
            assertThat(events).extracting(AuditEvent::actor).containsExactly("carol", "carol", "carol", "dora");
            assertThat(events).extracting(AuditEvent::data).containsExactly(
                    "{\"held_by\":null,\"model\":\"churn\",\"policy\":\"nightly\",\"retrain\":true,"
                            + "\"status\":\"retrain\",\"window\":\"w1\"}",
                    "{\"held_by\":\"cooldown\",\"model\":\"churn\",\"policy\":\"nightly\",\"retrain\":false,"
                            + "\"status\":\"held\",\"window\":\"w2\"}",
                    "{\"held_by\":\"approval\",\"model\":\"churn\",\"policy\":\"gated\",\"retrain\":false,"
                            + "\"status\":\"awaiting_approval\",\"window\":\"w1\"}",
                    "{\"held_by\":null,\"model\":\"churn\",\"policy\":\"gated\",\"retrain\":true,"
                            + "\"status\":\"retrain\",\"window\":\"w1\"}");
            assertThat(events).extracting(AuditEvent::time).containsExactly(at(0), at(3600), at(3600), at(7200));
            assertChainIntact(events);
            assertThat(readAll(store::listPolicyStates, 10)).extracting(PolicyStateEntry::policy)
                    .containsExactly("gated", POLICY);
        }

        @Test
        @DisplayName("a retrain result recorded with recordResult appends one policy.result_recorded event and"
                + " drives the back-off; reporting it again changes nothing")
        void results() {
            RetrainingPolicy backoff = RetrainingPolicy.builder(POLICY)
                    .anyOf(Condition.metricBelow("accuracy", 0.8))
                    .backoff(Duration.ofHours(1), 2, Duration.ofHours(8)).build();
            ManualClock clock = new ManualClock(at(0));
            try (Mlops mlops = mlops(store, clock, "carol")) {
                RetrainingPolicies policies = mlops.policies();
                policies.evaluate(backoff, low("w1"));
                policies.recordResult(backoff, MODEL, "w1", false);
                List<AuditEvent> once = allAuditEvents(store);
                policies.recordResult(backoff, MODEL, "w1", false);
                assertThat(allAuditEvents(store)).isEqualTo(once);
                assertThat(once).extracting(AuditEvent::action).containsExactly("policy.decided",
                        "policy.result_recorded");
                assertThat(once.get(1).subject()).isEqualTo("retraining:nightly/churn/w1");
                assertThat(once.get(1).data()).isEqualTo("{\"consecutive_failures\":1,\"model\":\"churn\","
                        + "\"policy\":\"nightly\",\"window\":\"w1\"}");
                clock.advance(Duration.ofMinutes(30));
                Decision held = policies.evaluate(backoff, low("w2"));
                assertThat(held.heldBy()).contains(Guards.Guard.BACKOFF);
            }
        }

        @Test
        @DisplayName("four threads over four Mlops instances evaluating the same windows: one decision per window,"
                + " all threads get it, one retrain")
        void concurrentEvaluators() throws Exception {
            ManualClock clock = new ManualClock(at(0));
            List<Mlops> instances = new ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) {
                    instances.add(mlops(store, clock, "svc-" + i));
                }
                List<List<Decision>> seen = runConcurrently(4, t -> {
                    List<Decision> out = new ArrayList<>();
                    for (int w = 1; w <= 5; w++) {
                        out.add(instances.get(t).policies().evaluate(COOLDOWN_POLICY, low("w" + w)));
                    }
                    return out;
                });
                for (List<Decision> s : seen) {
                    assertThat(s).isEqualTo(seen.get(0));
                }
                List<Decision> stored = instances.get(0).policies().decisions(POLICY, MODEL);
                assertThat(stored).containsExactlyElementsOf(seen.get(0));
                assertThat(stored).filteredOn(Decision::retrain).hasSize(1);
                assertThat(allAuditEvents(store)).hasSize(5);
            } finally {
                instances.forEach(Mlops::close);
            }
        }
    }

    @Nested
    @DisplayName("retraining requests")
    class RetrainingRequests {

        @Test
        @DisplayName("a request is created once per key with one audit event; creating it again returns the stored"
                + " one with created=false and no event, whatever the content")
        void createOnce() {
            RetrainingRequestEntry r = request(POLICY, MODEL, "w1", 1);
            AuditEvent before = head();
            PendingAuditEvent pending = requestEvent(r);
            Created<RetrainingRequestEntry> c = store.createRetrainingRequest(r, pending);
            assertThat(c.created()).isTrue();
            assertThat(c.value()).isEqualTo(r);
            assertAppended(before, pending);
            assertThat(store.getRetrainingRequest(r.key())).contains(r);
            List<AuditEvent> events = allAuditEvents(store);
            Created<RetrainingRequestEntry> again = store.createRetrainingRequest(request(POLICY, MODEL, "w1", 99),
                    requestEvent(r));
            assertThat(again.created()).isFalse();
            assertThat(again.value()).isEqualTo(r);
            assertThat(allAuditEvents(store)).isEqualTo(events);
            assertThat(store.getRetrainingRequest(POLICY + "/" + MODEL + "/w2")).isEmpty();
        }

        @Test
        @DisplayName("requested -> running -> completed by compare-and-set, one event each; the run id, error and"
                + " times are kept")
        void transitions() {
            RetrainingRequestEntry r = created(request(POLICY, MODEL, "w1", 1));
            RetrainingRequestEntry running = moved(r, RetrainingRequestEntry.RUNNING, 1, null, null, 2);
            AuditEvent before = head();
            PendingAuditEvent pending = requestEvent(running);
            assertThat(store.updateRetrainingRequest(running, "requested", 0, pending)).isEqualTo(running);
            assertAppended(before, pending);
            RetrainingRequestEntry done = moved(running, RetrainingRequestEntry.COMPLETED, 1,
                    "0190a1b2-0000-7000-8000-00000000000a", null, 3);
            store.updateRetrainingRequest(done, "running", 1, requestEvent(done));
            assertThat(store.getRetrainingRequest(r.key())).contains(done);
            RetrainingRequestEntry other = created(request(POLICY, MODEL, "w2", 4));
            RetrainingRequestEntry failed = moved(other, RetrainingRequestEntry.FAILED, 1, null,
                    "java.io.IOException: caf\u00e9 disk full", 5);
            store.updateRetrainingRequest(failed, "requested", 0, requestEvent(failed));
            assertThat(store.getRetrainingRequest(other.key())).contains(failed);
            assertThat(allAuditEvents(store)).extracting(AuditEvent::action).containsExactly("retraining.requested",
                    "retraining.running", "retraining.completed", "retraining.requested", "retraining.failed");
        }

        @Test
        @DisplayName("a transition from a status or attempt that is not the stored one is CONFLICT naming the key;"
                + " an unknown key is NOT_FOUND; changing the policy, model, window or requested time is"
                + " INVALID_ARGUMENT; nothing is stored")
        void refusedTransitions() {
            RetrainingRequestEntry r = created(request(POLICY, MODEL, "w1", 1));
            RetrainingRequestEntry running = moved(r, RetrainingRequestEntry.RUNNING, 1, null, null, 2);
            store.updateRetrainingRequest(running, "requested", 0, requestEvent(running));
            List<AuditEvent> events = allAuditEvents(store);
            RetrainingRequestEntry again = moved(r, RetrainingRequestEntry.RUNNING, 2, null, null, 3);
            assertThatThrownBy(() -> store.updateRetrainingRequest(again, "requested", 0, requestEvent(again)))
                    .isInstanceOf(ConflictException.class).hasMessageContaining(r.key())
                    .hasMessageContaining("running");
            assertThatThrownBy(() -> store.updateRetrainingRequest(again, "running", 7, requestEvent(again)))
                    .isInstanceOf(ConflictException.class);
            RetrainingRequestEntry unknown = moved(request(POLICY, MODEL, "w9", 1), "running", 1, null, null, 3);
            assertThatThrownBy(() -> store.updateRetrainingRequest(unknown, "requested", 0, requestEvent(unknown)))
                    .isInstanceOf(NotFoundException.class).hasMessageContaining(unknown.key());
            RetrainingRequestEntry otherModel = new RetrainingRequestEntry(r.key(), r.policy(), "fraud",
                    r.windowId(), "completed", 1, null, null, r.requestedTime(), at(4), "{}");
            assertThatThrownBy(() -> store.updateRetrainingRequest(otherModel, "running", 1, requestEvent(r)))
                    .isInstanceOfSatisfying(InvalidArgumentException.class,
                            e -> assertThat(e.field()).contains("model"));
            assertThat(store.getRetrainingRequest(r.key())).contains(running);
            assertThat(allAuditEvents(store)).isEqualTo(events);
        }

        @Test
        @DisplayName("eight threads moving one request from requested: exactly one wins, the others get CONFLICT")
        void racingTransitions() throws Exception {
            RetrainingRequestEntry r = created(request(POLICY, MODEL, "w1", 1));
            List<Outcome<RetrainingRequestEntry>> outcomes = runConcurrently(8, t -> Outcome.of(() -> {
                RetrainingRequestEntry next = moved(r, RetrainingRequestEntry.RUNNING, 1, null, null, 10 + t);
                return store.updateRetrainingRequest(next, "requested", 0, requestEvent(next));
            }));
            assertThat(outcomes).filteredOn(Outcome::succeeded).hasSize(1);
            assertThat(outcomes).filteredOn(o -> !o.succeeded()).extracting(Outcome::error)
                    .containsOnly(ErrorCode.CONFLICT);
            RetrainingRequestEntry winner = outcomes.stream().filter(Outcome::succeeded).findFirst().orElseThrow()
                    .value();
            assertThat(store.getRetrainingRequest(r.key())).contains(winner);
            assertThat(allAuditEvents(store)).hasSize(2);
            assertChainIntact(allAuditEvents(store));
        }

        @ParameterizedTest(name = "page size {0}")
        @ValueSource(ints = {1, 2, 5, 100})
        @DisplayName("requests are listed in the order created, filtered by policy, model and statuses, in pages of"
                + " any size")
        void listings(int pageSize) {
            List<RetrainingRequestEntry> all = new ArrayList<>();
            String[][] keys = {{POLICY, MODEL}, {POLICY, "fraud"}, {"weekly", MODEL}, {POLICY, MODEL},
                {POLICY, MODEL}};
            for (int i = 0; i < keys.length; i++) {
                all.add(created(request(keys[i][0], keys[i][1], "w" + i, 100 - i)));
            }
            RetrainingRequestEntry failed = moved(all.get(3), RetrainingRequestEntry.FAILED, 1, null, "boom", 200);
            store.updateRetrainingRequest(failed, "requested", 0, requestEvent(failed));
            all.set(3, failed);
            assertThat(requests(null, null, Set.of(), pageSize)).containsExactlyElementsOf(all);
            assertThat(requests(POLICY, MODEL, Set.of(), pageSize)).containsExactly(all.get(0), all.get(3),
                    all.get(4));
            assertThat(requests(POLICY, null, Set.of(), pageSize)).containsExactly(all.get(0), all.get(1),
                    all.get(3), all.get(4));
            assertThat(requests(null, MODEL, Set.of("requested"), pageSize)).containsExactly(all.get(0),
                    all.get(2), all.get(4));
            assertThat(requests(null, null, Set.of("failed", "running"), pageSize)).containsExactly(failed);
            assertThat(requests(POLICY, "none", Set.of(), pageSize)).isEmpty();
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"%%%", "AAAA", "dDE6MA"})
        @DisplayName("a page token that is not one of this listing is INVALID_ARGUMENT on field pageToken")
        void malformedTokens(String token) {
            created(request(POLICY, MODEL, "w1", 1));
            assertThatThrownBy(() -> store.listRetrainingRequests(null, null, Set.of(), new PageRequest(1, token)))
                    .isInstanceOfSatisfying(InvalidArgumentException.class,
                            e -> assertThat(e.field()).contains("pageToken"));
        }

        @Test
        @DisplayName("entries refuse a negative attempt")
        void entries() {
            assertThatThrownBy(() -> moved(request(POLICY, MODEL, "w1", 1), "running", -1, null, null, 2))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("attempt");
        }
    }

    @Nested
    @DisplayName("policy state: after close()")
    class PoliciesAfterClose {
        private static final List<String> CALLS = List.of("getPolicyState", "savePolicyState",
                "savePolicyState with bad input", "findPolicyDecision", "listPolicyDecisions",
                "listPolicyDecisions with a malformed page token", "listPolicyStates", "createRetrainingRequest",
                "updateRetrainingRequest", "getRetrainingRequest", "listRetrainingRequests",
                "listRetrainingRequests with a malformed page token");

        @ParameterizedTest(name = "{0}")
        @MethodSource("dev.mlops.tck.PolicyStoreCompatibilityKit#policyCallsAfterClose")
        @DisplayName("after close() every policy state and retraining request call fails with STORAGE")
        void closedStoreRefusesPolicyCalls(String call) {
            saveNext(List.of(decisionEntry("w1", "held", 1)));
            String description = store.describe();
            store.close();
            Throwable thrown = catchThrowable(() -> {
                switch (call) {
                    case "getPolicyState" -> store.getPolicyState(POLICY, MODEL);
                    case "savePolicyState" -> store.savePolicyState(stateEntry(2), 1, List.of(),
                            List.of(decided("w")));
                    case "savePolicyState with bad input" -> store.savePolicyState(stateEntry(7), 1, List.of(),
                            List.of());
                    case "findPolicyDecision" -> store.findPolicyDecision(POLICY, MODEL, "w1");
                    case "listPolicyDecisions" -> store.listPolicyDecisions(POLICY, MODEL, PageRequest.first());
                    case "listPolicyDecisions with a malformed page token" -> store.listPolicyDecisions(POLICY,
                            MODEL, new PageRequest(10, "%%%"));
                    case "listPolicyStates" -> store.listPolicyStates(PageRequest.first());
                    case "createRetrainingRequest" -> store.createRetrainingRequest(request(POLICY, MODEL, "w2", 1),
                            audit("retraining.requested", "retraining:x"));
                    case "updateRetrainingRequest" -> store.updateRetrainingRequest(moved(request(POLICY, MODEL,
                            "w2", 1), "running", 1, null, null, 2), "requested", 0, audit("retraining.running",
                            "retraining:x"));
                    case "getRetrainingRequest" -> store.getRetrainingRequest("nightly/churn/w2");
                    case "listRetrainingRequests" -> store.listRetrainingRequests(POLICY, MODEL, Set.of(),
                            PageRequest.first());
                    case "listRetrainingRequests with a malformed page token" -> store.listRetrainingRequests(null,
                            null, Set.of("failed"), new PageRequest(10, "%%%"));
                    default -> throw new IllegalArgumentException(call);
                }
            });
            assertThat(thrown).as("what %s threw after close()", call).isInstanceOf(StorageException.class);
            assertThat(((MlopsException) thrown).code()).isEqualTo(ErrorCode.STORAGE);
            assertThat(store.describe()).isEqualTo(description);
        }
    }
}
