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

import dev.mlops.AlreadyExistsException;
import dev.mlops.ConflictException;
import dev.mlops.Created;
import dev.mlops.ErrorCode;
import dev.mlops.InvalidArgumentException;
import dev.mlops.MlopsException;
import dev.mlops.Mlops;
import dev.mlops.NotFoundException;
import dev.mlops.PageRequest;
import dev.mlops.StorageException;
import dev.mlops.audit.AuditEvent;
import dev.mlops.drift.DatasetProfile;
import dev.mlops.drift.DatasetProfiler;
import dev.mlops.drift.DriftMonitor;
import dev.mlops.drift.ProfileQuery;
import dev.mlops.drift.ProfileStore;
import dev.mlops.drift.ReportKind;
import dev.mlops.drift.StoredDriftReport;
import dev.mlops.drift.StoredProfile;
import dev.mlops.drift.WindowReport;
import dev.mlops.spi.DriftReportEntry;
import dev.mlops.spi.ForwardingMetadataStore;
import dev.mlops.spi.MetadataStore;
import dev.mlops.spi.PendingAuditEvent;
import dev.mlops.spi.ProfileEntry;
import dev.mlops.tck.KitSupport.Outcome;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The groups of the kit about stored dataset profiles and drift reports ({@link MetadataStore#saveProfile} and its
 * neighbours, and {@code Mlops.profiles()} over the store): round trips, idempotent saves, conflicts, links, paging
 * and ordering, time ranges, audit events written atomically, digest checks and bad input. Extend
 * {@link MetadataStoreCompatibilityKit}, which includes these groups, rather than this class.
 */
public abstract class ProfileStoreCompatibilityKit extends ModelRegistryCompatibilityKit {

    /** The subject most tests use. */
    static final String MONITOR = "monitor:checkout";
    /** A second subject, whose name starts with the first one's. */
    static final String MONITOR_2 = "monitor:checkout-eu";

    static List<String> profileCallsAfterClose() {
        return ProfilesAfterClose.CALLS;
    }

    static List<String> profileBadInputs() {
        return List.of("blank subject", "subject without kind", "upper-case kind", "subject with line break",
                "oversized subject", "blank key", "empty key", "oversized key", "key with tab", "key with end space",
                "null profile", "window end before start", "null subject", "null key");
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    /** A profile of {@code rows} rows of a numeric and a categorical column, the same for the same seed. */
    static DatasetProfile profileOf(long seed, int rows) {
        SplittableRandom random = new SplittableRandom(seed);
        DatasetProfiler p = DatasetProfiler.builder().numeric("temp").categorical("station").build();
        String[] stations = {"north", "south", "z\u00fcrich", "\u6771\u4eac"};
        for (int i = 0; i < rows; i++) {
            p.column("temp").add(10 + 5 * random.nextGaussian());
            p.column("station").add(stations[random.nextInt(stations.length)]);
        }
        return p.toProfile();
    }

    static String json(DatasetProfile profile) {
        return new String(profile.toJson(), StandardCharsets.UTF_8);
    }

    /** An id that is unique for {@code n}; ids sort as their numbers do. */
    static String entryId(long n) {
        return String.format("01900000-0000-7000-9000-%012d", n);
    }

    static ProfileEntry profileEntry(long n, String subject, String key, Instant start, Instant end) {
        DatasetProfile profile = profileOf(n, 50);
        String body = json(profile);
        return new ProfileEntry(entryId(n), subject, key, start, end, profile.rows(), TckData.digest(body), body,
                at(500 + n), "alice");
    }

    static ProfileEntry profileEntry(long n, String key) {
        return profileEntry(n, MONITOR, key, null, null);
    }

    static DriftReportEntry reportEntry(long n, String subject, String key, Instant start, String reference,
            String current, Double share) {
        String body = "{\"format\":\"tck.report\",\"n\":" + n + ",\"note\":\"caf\u00e9\"}";
        return new DriftReportEntry(entryId(n), subject, key, ReportKind.WINDOW, start,
                start == null ? null : start.plusSeconds(60), reference, current, share != null && share >= 0.5,
                share, TckData.digest(body), body, at(900 + n), "bob");
    }

    Created<ProfileEntry> saveProfile(ProfileEntry e) {
        return store.saveProfile(e, audit("profile.saved", e.subject()));
    }

    ProfileEntry saved(ProfileEntry e) {
        Created<ProfileEntry> c = saveProfile(e);
        assertThat(c.created()).as("created flag of new profile %s", e.key()).isTrue();
        return c.value();
    }

    Created<DriftReportEntry> saveReport(DriftReportEntry e) {
        return store.saveDriftReport(e, audit("drift_report.saved", e.subject()));
    }

    List<ProfileEntry> profiles(ProfileQuery query, int pageSize) {
        return readAll(p -> store.searchProfiles(query, p), pageSize);
    }

    List<DriftReportEntry> reports(ProfileQuery query, int pageSize) {
        return readAll(p -> store.searchDriftReports(query, p), pageSize);
    }

    /** Everything a client can read about the profiles and reports of the given subjects, and the audit chain. */
    List<Object> profileState(String... subjects) {
        List<Object> state = new ArrayList<>();
        for (String s : subjects) {
            state.add(profiles(ProfileQuery.of(s), 1000));
            state.add(reports(ProfileQuery.of(s), 1000));
        }
        state.add(allAuditEvents(store));
        return state;
    }

    /** The order of listings: window start (none first), then id. */
    static <T> Comparator<T> listingOrder(Function<T, Instant> start, Function<T, String> id) {
        return Comparator.<T>comparingLong(e -> start.apply(e) == null ? Long.MIN_VALUE
                : start.apply(e).toEpochMilli()).thenComparing(id);
    }

    /** A Mlops over the store under test (the caller closes it; the store stays open). */
    Mlops mlops(MetadataStore over) {
        return Mlops.builder().store(over).artifactUri("memory:").actor("carol")
                .clock(Clock.fixed(at(7000), ZoneOffset.UTC)).build();
    }

    // ---- tests ------------------------------------------------------------------------------------------------

    @Nested
    @DisplayName("profiles: saving and reading")
    class ProfileSaving {

        @Test
        @DisplayName("a saved profile is created with one audit event and read back as it was given, by id and by"
                + " (subject, key)")
        void roundTrip() {
            ProfileEntry e = profileEntry(1, MONITOR, "2026-01", at(0), at(3600));
            AuditEvent before = head();
            PendingAuditEvent pending = audit("profile.saved", MONITOR);
            Created<ProfileEntry> c = store.saveProfile(e, pending);
            assertThat(c.created()).isTrue();
            assertThat(c.value()).isEqualTo(e);
            assertAppended(before, pending);
            assertThat(store.getProfile(e.id())).contains(e);
            assertThat(store.findProfile(MONITOR, "2026-01")).contains(e);
        }

        @Test
        @DisplayName("an entry without a window keeps it absent; millisecond instants are kept exactly")
        void windowsAndInstants() {
            ProfileEntry none = saved(profileEntry(1, "reference"));
            assertThat(store.getProfile(none.id()).orElseThrow().windowStart()).isNull();
            assertThat(store.getProfile(none.id()).orElseThrow().windowEnd()).isNull();
            Instant start = Instant.parse("1969-12-31T23:59:59.999Z");
            ProfileEntry early = saved(profileEntry(2, MONITOR, "early", start, start.plusMillis(1)));
            assertThat(store.getProfile(early.id())).contains(early);
            Instant open = Instant.parse("2026-03-01T00:00:00.123Z");
            ProfileEntry openEnded = saved(profileEntry(3, MONITOR, "open", open, null));
            assertThat(store.getProfile(openEnded.id()).orElseThrow().windowStart()).isEqualTo(open);
            assertThat(store.getProfile(openEnded.id()).orElseThrow().windowEnd()).isNull();
        }

        @Test
        @DisplayName("the JSON body is kept character for character: non-ASCII text, escapes and a body of 2 MB")
        void bodyKeptExactly() {
            StringBuilder big = new StringBuilder("{\"format\":\"x\",\"pad\":\"");
            SplittableRandom random = new SplittableRandom(7);
            List<String> pieces = List.of("abc", "\u00e9", "\u6771", "\ud83d\ude00", "\\\"", "\\n", " ",
                    "\\\\", "\\u0000");
            while (big.length() < 2_000_000) {
                big.append(pieces.get(random.nextInt(pieces.size())));
            }
            String body = big.append("\"}").toString();
            ProfileEntry e = new ProfileEntry(entryId(1), MONITOR, "big", null, null, 0, TckData.digest(body), body,
                    at(1), "alice");
            saved(e);
            assertThat(store.getProfile(e.id()).orElseThrow().body()).isEqualTo(body);
            assertThat(store.findProfile(MONITOR, "big").orElseThrow().body()).isEqualTo(body);
        }

        @Test
        @DisplayName("saving the same content under the same (subject, key) again returns the stored entry with"
                + " created=false and appends no event, whatever its id, time and author")
        void idempotent() {
            ProfileEntry first = saved(profileEntry(1, MONITOR, "w1", at(0), at(60)));
            List<AuditEvent> before = allAuditEvents(store);
            ProfileEntry again = new ProfileEntry(entryId(99), MONITOR, "w1", at(0), at(60), first.rows(),
                    first.digest(), first.body(), at(9999), "someone-else");
            Created<ProfileEntry> c = saveProfile(again);
            assertThat(c.created()).isFalse();
            assertThat(c.value()).isEqualTo(first);
            assertThat(allAuditEvents(store)).isEqualTo(before);
            assertThat(store.getProfile(entryId(99))).isEmpty();
        }

        @Test
        @DisplayName("other content under a stored (subject, key) is CONFLICT naming the subject, the key and both"
                + " digests; nothing is stored and no event appended")
        void conflict() {
            ProfileEntry first = saved(profileEntry(1, MONITOR, "w1", at(0), at(60)));
            ProfileEntry other = profileEntry(2, MONITOR, "w1", at(0), at(60));
            List<Object> before = profileState(MONITOR);
            assertThatThrownBy(() -> saveProfile(other))
                    .isInstanceOf(ConflictException.class)
                    .hasMessageContaining(MONITOR).hasMessageContaining("w1")
                    .hasMessageContaining(first.digest()).hasMessageContaining(other.digest());
            assertThat(profileState(MONITOR)).isEqualTo(before);
            assertThat(store.getProfile(other.id())).isEmpty();
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"window start", "window end", "no window", "row count"})
        @DisplayName("the same body with another window or row count is other content: CONFLICT")
        void conflictOnFields(String change) {
            ProfileEntry first = saved(profileEntry(1, MONITOR, "w1", at(0), at(60)));
            ProfileEntry other = switch (change) {
                case "window start" -> withWindow(first, at(1), at(60));
                case "window end" -> withWindow(first, at(0), at(61));
                case "no window" -> withWindow(first, null, null);
                case "row count" -> new ProfileEntry(entryId(2), MONITOR, "w1", at(0), at(60), first.rows() + 1,
                        first.digest(), first.body(), at(1), "alice");
                default -> throw new IllegalArgumentException(change);
            };
            List<Object> before = profileState(MONITOR);
            assertThatThrownBy(() -> saveProfile(other)).isInstanceOf(ConflictException.class);
            assertThat(profileState(MONITOR)).isEqualTo(before);
        }

        private ProfileEntry withWindow(ProfileEntry e, Instant start, Instant end) {
            return new ProfileEntry(entryId(2), e.subject(), e.key(), start, end, e.rows(), e.digest(), e.body(),
                    e.createdTime(), e.createdBy());
        }

        @Test
        @DisplayName("an id taken under another (subject, key) is ALREADY_EXISTS, and nothing is stored")
        void idTaken() {
            saved(profileEntry(1, "a"));
            ProfileEntry clash = new ProfileEntry(entryId(1), MONITOR, "b", null, null, 3, TckData.digest("{}"),
                    "{}", at(1), "alice");
            List<Object> before = profileState(MONITOR);
            assertThatThrownBy(() -> saveProfile(clash)).isInstanceOf(AlreadyExistsException.class)
                    .hasMessageContaining(entryId(1));
            assertThat(profileState(MONITOR)).isEqualTo(before);
            assertThat(store.findProfile(MONITOR, "b")).isEmpty();
        }

        @Test
        @DisplayName("(subject, key) is exact: other subjects, keys differing in case or by a prefix are other"
                + " entries; unknown ids and keys are empty")
        void keysAreExact() {
            ProfileEntry a = saved(profileEntry(1, MONITOR, "ref", null, null));
            ProfileEntry b = saved(profileEntry(2, MONITOR_2, "ref", null, null));
            ProfileEntry c = saved(profileEntry(3, MONITOR, "Ref", null, null));
            ProfileEntry d = saved(profileEntry(4, MONITOR, "ref-2", null, null));
            assertThat(store.findProfile(MONITOR, "ref")).contains(a);
            assertThat(store.findProfile(MONITOR_2, "ref")).contains(b);
            assertThat(store.findProfile(MONITOR, "Ref")).contains(c);
            assertThat(store.findProfile(MONITOR, "ref-2")).contains(d);
            assertThat(store.findProfile(MONITOR, "re")).isEmpty();
            assertThat(store.findProfile("monitor:other", "ref")).isEmpty();
            assertThat(store.getProfile(entryId(5))).isEmpty();
        }

        @Test
        @DisplayName("profiles and drift reports have separate keys: both may be stored under one (subject, key)")
        void separateKeySpaces() {
            ProfileEntry p = saved(profileEntry(1, MONITOR, "w1", at(0), at(60)));
            DriftReportEntry r = reportEntry(2, MONITOR, "w1", at(0), null, p.id(), 0.0);
            assertThat(saveReport(r).created()).isTrue();
            assertThat(store.findProfile(MONITOR, "w1")).contains(p);
            assertThat(store.findDriftReport(MONITOR, "w1")).contains(r);
        }

        @Test
        @DisplayName("eight threads saving the same content under one key: one is created, the others get it with"
                + " created=false, one audit event")
        void concurrentSameContent() throws Exception {
            ProfileEntry base = profileEntry(1, MONITOR, "w1", at(0), at(60));
            List<Created<ProfileEntry>> results = runConcurrently(8, t -> saveProfile(new ProfileEntry(
                    entryId(100 + t), base.subject(), base.key(), base.windowStart(), base.windowEnd(), base.rows(),
                    base.digest(), base.body(), at(t), "thread-" + t)));
            assertThat(results.stream().filter(Created::created)).hasSize(1);
            ProfileEntry stored = results.stream().filter(Created::created).findFirst().orElseThrow().value();
            assertThat(results).allSatisfy(c -> assertThat(c.value()).isEqualTo(stored));
            assertThat(store.findProfile(MONITOR, "w1")).contains(stored);
            List<AuditEvent> events = allAuditEvents(store);
            assertThat(events).hasSize(1);
            assertChainIntact(events);
        }

        @Test
        @DisplayName("eight threads saving different content under one key: exactly one wins, the others get"
                + " CONFLICT, one audit event")
        void concurrentDifferentContent() throws Exception {
            List<Outcome<Created<ProfileEntry>>> outcomes = runConcurrently(8,
                    t -> Outcome.of(() -> saveProfile(profileEntry(10 + t, MONITOR, "w1", at(0), at(60)))));
            assertThat(outcomes.stream().filter(Outcome::succeeded)).hasSize(1);
            assertThat(outcomes.stream().filter(o -> !o.succeeded()))
                    .allSatisfy(o -> assertThat(o.error()).isEqualTo(ErrorCode.CONFLICT));
            ProfileEntry winner = outcomes.stream().filter(Outcome::succeeded).findFirst().orElseThrow().value()
                    .value();
            assertThat(store.findProfile(MONITOR, "w1")).contains(winner);
            assertThat(allAuditEvents(store)).hasSize(1);
        }
    }

    @Nested
    @DisplayName("profiles and drift reports: searching")
    class Searching {

        /** Saves profiles with and without windows, in an order unlike the listing's; returns them. */
        private List<ProfileEntry> saveMixed() {
            List<ProfileEntry> all = new ArrayList<>();
            int[] hours = {5, -1, 3, 3, 0, -1, 7, 1, 3, -1, 2};
            for (int i = 0; i < hours.length; i++) {
                long n = 40 - i;   // ids descend while saving, so id order is not save order
                Instant start = hours[i] < 0 ? null : at(3600L * hours[i]);
                Instant end = start == null ? null : start.plusSeconds(3600);
                all.add(saved(profileEntry(n, MONITOR, "k" + i, start, end)));
            }
            saved(profileEntry(60, MONITOR_2, "k0", at(0), at(60)));
            return all;
        }

        @ParameterizedTest(name = "page size {0}")
        @ValueSource(ints = {1, 2, 3, 5, 100})
        @DisplayName("profiles of a subject are listed by window start, those without one first, then by id, in"
                + " pages of any size; other subjects are not listed")
        void order(int pageSize) {
            List<ProfileEntry> all = saveMixed();
            List<ProfileEntry> expected = all.stream()
                    .sorted(listingOrder(ProfileEntry::windowStart, ProfileEntry::id)).toList();
            assertThat(profiles(ProfileQuery.of(MONITOR), pageSize)).containsExactlyElementsOf(expected);
        }

        @Test
        @DisplayName("a time range [from, to) keeps the window starts from 'from' inclusive to 'to' exclusive;"
                + " entries without a window never match a range")
        void timeRange() {
            List<ProfileEntry> all = saveMixed();
            Instant from = at(3600L * 2);
            Instant to = at(3600L * 5);
            List<ProfileEntry> expected = all.stream()
                    .filter(e -> e.windowStart() != null && !e.windowStart().isBefore(from)
                            && e.windowStart().isBefore(to))
                    .sorted(listingOrder(ProfileEntry::windowStart, ProfileEntry::id)).toList();
            assertThat(expected).hasSize(4);
            assertThat(profiles(ProfileQuery.of(MONITOR).between(from, to), 2)).containsExactlyElementsOf(expected);
            assertThat(profiles(ProfileQuery.of(MONITOR).between(null, at(3600)), 2))
                    .extracting(ProfileEntry::windowStart).containsExactly(at(0));
            assertThat(profiles(ProfileQuery.of(MONITOR).between(at(3600L * 7), null), 2))
                    .extracting(ProfileEntry::windowStart).containsExactly(at(3600L * 7));
            assertThat(profiles(ProfileQuery.of(MONITOR).between(at(3600L * 7).plusMillis(1), null), 2)).isEmpty();
        }

        @Test
        @DisplayName("a key prefix matches keys that start with it exactly (case-sensitive, '%' and '_' are plain"
                + " characters, non-ASCII works)")
        void keyPrefix() {
            List<String> all = List.of("2026-01", "2026-02", "2026-10", "2025-12", "a%b", "axb", "a_b", "A_b",
                    "\u00e9t\u00e9-1", "\u00e9t\u00e9-2", "\u00e9x");
            for (int i = 0; i < all.size(); i++) {
                saved(profileEntry(i + 1, MONITOR, all.get(i), null, null));
            }
            Function<String, List<String>> keys = prefix -> profiles(ProfileQuery.of(MONITOR).withKeyPrefix(prefix),
                    2).stream().map(ProfileEntry::key).sorted().toList();
            assertThat(keys.apply("2026-")).containsExactly("2026-01", "2026-02", "2026-10");
            assertThat(keys.apply("2026-0")).containsExactly("2026-01", "2026-02");
            assertThat(keys.apply("2026-01")).containsExactly("2026-01");
            assertThat(keys.apply("a%")).containsExactly("a%b");
            assertThat(keys.apply("a_")).containsExactly("a_b");
            assertThat(keys.apply("a")).containsExactly("a%b", "a_b", "axb");
            assertThat(keys.apply("\u00e9t\u00e9")).containsExactly("\u00e9t\u00e9-1", "\u00e9t\u00e9-2");
            assertThat(keys.apply("2026-01x")).isEmpty();
        }

        @Test
        @DisplayName("entries saved while paging do not make a listing skip or repeat the entries it started with")
        void stableWhileInserting() {
            List<ProfileEntry> all = saveMixed();
            List<ProfileEntry> seen = new ArrayList<>();
            PageRequest request = PageRequest.first(2);
            int added = 0;
            while (true) {
                var page = store.searchProfiles(ProfileQuery.of(MONITOR), request);
                seen.addAll(page.items());
                saved(profileEntry(200 + added, MONITOR, "new" + added, added % 2 == 0 ? null : at(3600L * added),
                        null));
                added++;
                if (page.nextPageToken() == null) {
                    break;
                }
                request = request.next(page);
            }
            assertThat(seen).containsAll(all);
            assertThat(seen).doesNotHaveDuplicates();
        }

        @Test
        @DisplayName("a page token that is not one of this listing is INVALID_ARGUMENT on field pageToken")
        void malformedToken() {
            saveMixed();
            for (String token : List.of("%%%", "bm90LWEtdG9rZW4")) {
                assertThatThrownBy(() -> store.searchProfiles(ProfileQuery.of(MONITOR), new PageRequest(2, token)))
                        .isInstanceOfSatisfying(InvalidArgumentException.class,
                                e -> assertThat(e.field()).contains("pageToken"));
                assertThatThrownBy(() -> store.searchDriftReports(ProfileQuery.of(MONITOR),
                        new PageRequest(2, token)))
                        .isInstanceOfSatisfying(InvalidArgumentException.class,
                                e -> assertThat(e.field()).contains("pageToken"));
            }
        }

        @ParameterizedTest(name = "page size {0}")
        @ValueSource(ints = {1, 3, 100})
        @DisplayName("drift reports are listed in window-start order (none first, then id) and filtered by time"
                + " range and key prefix, as profiles are")
        void reportOrder(int pageSize) {
            ProfileEntry ref = saved(profileEntry(1, "reference"));
            List<DriftReportEntry> all = new ArrayList<>();
            SplittableRandom random = new SplittableRandom(11);
            for (int i = 0; i < 12; i++) {
                Instant start = i % 5 == 4 ? null : at(60L * random.nextInt(8));
                DriftReportEntry r = reportEntry(50 - i, MONITOR, (i % 2 == 0 ? "w-" : "x-") + i, start, ref.id(),
                        null, i % 3 == 0 ? null : i / 12.0);
                assertThat(saveReport(r).created()).isTrue();
                all.add(r);
            }
            saveReport(reportEntry(70, MONITOR_2, "w-0", at(0), null, null, 1.0));
            Comparator<DriftReportEntry> order = listingOrder(DriftReportEntry::windowStart, DriftReportEntry::id);
            assertThat(reports(ProfileQuery.of(MONITOR), pageSize))
                    .containsExactlyElementsOf(all.stream().sorted(order).toList());
            assertThat(reports(ProfileQuery.of(MONITOR).between(at(120), at(300)), pageSize))
                    .containsExactlyElementsOf(all.stream().filter(r -> r.windowStart() != null
                            && !r.windowStart().isBefore(at(120)) && r.windowStart().isBefore(at(300)))
                            .sorted(order).toList());
            assertThat(reports(ProfileQuery.of(MONITOR).withKeyPrefix("w-"), pageSize))
                    .containsExactlyElementsOf(all.stream().filter(r -> r.key().startsWith("w-")).sorted(order)
                            .toList());
        }
    }

    @Nested
    @DisplayName("drift reports: saving and reading")
    class ReportSaving {

        @Test
        @DisplayName("a saved report is created with one audit event, linked to its profiles, and read back as it"
                + " was given, by id and by (subject, key)")
        void roundTrip() {
            ProfileEntry ref = saved(profileEntry(1, "reference"));
            ProfileEntry window = saved(profileEntry(2, MONITOR, "w1", at(0), at(60)));
            DriftReportEntry r = reportEntry(3, MONITOR, "w1", at(0), ref.id(), window.id(), 1.0 / 3);
            AuditEvent before = head();
            PendingAuditEvent pending = audit("drift_report.saved", MONITOR);
            Created<DriftReportEntry> c = store.saveDriftReport(r, pending);
            assertThat(c.created()).isTrue();
            assertThat(c.value()).isEqualTo(r);
            assertAppended(before, pending);
            assertThat(store.getDriftReport(r.id())).contains(r);
            assertThat(store.findDriftReport(MONITOR, "w1")).contains(r);
            assertThat(store.findDriftReport(MONITOR, "w2")).isEmpty();
            assertThat(store.getDriftReport(entryId(4))).isEmpty();
        }

        @Test
        @DisplayName("kind, flags, an absent share, absent links and absent windows are kept as given")
        void fieldsKept() {
            String body = "{\"drift\":true}";
            DriftReportEntry r = new DriftReportEntry(entryId(1), MONITOR, "batch", ReportKind.ANALYSIS, null, null,
                    null, null, true, null, TckData.digest(body), body, at(3), "bob");
            assertThat(saveReport(r).value()).isEqualTo(r);
            assertThat(store.getDriftReport(r.id())).contains(r);
            DriftReportEntry zero = reportEntry(2, MONITOR, "zero", at(0), null, null, 0.0);
            saveReport(zero);
            assertThat(store.getDriftReport(zero.id()).orElseThrow().driftShare()).isEqualTo(0.0);
        }

        @Test
        @DisplayName("saving the same report again is created=false with no event; other content is CONFLICT naming"
                + " the subject and key; a taken id is ALREADY_EXISTS")
        void idempotentAndConflicts() {
            ProfileEntry ref = saved(profileEntry(1, "reference"));
            DriftReportEntry r = reportEntry(2, MONITOR, "w1", at(0), ref.id(), null, 0.5);
            saveReport(r);
            List<Object> before = profileState(MONITOR);
            DriftReportEntry again = new DriftReportEntry(entryId(3), r.subject(), r.key(), r.kind(), r.windowStart(),
                    r.windowEnd(), r.referenceProfileId(), r.currentProfileId(), r.datasetDrift(), r.driftShare(),
                    r.digest(), r.body(), at(77), "other");
            Created<DriftReportEntry> c = saveReport(again);
            assertThat(c.created()).isFalse();
            assertThat(c.value()).isEqualTo(r);
            assertThat(profileState(MONITOR)).isEqualTo(before);

            DriftReportEntry otherLink = new DriftReportEntry(entryId(4), r.subject(), r.key(), r.kind(),
                    r.windowStart(), r.windowEnd(), null, null, r.datasetDrift(), r.driftShare(), r.digest(),
                    r.body(), at(77), "other");
            assertThatThrownBy(() -> saveReport(otherLink)).isInstanceOf(ConflictException.class)
                    .hasMessageContaining(MONITOR).hasMessageContaining("w1");
            DriftReportEntry otherShare = reportEntry(5, MONITOR, "w1", at(0), ref.id(), null, 0.25);
            assertThatThrownBy(() -> saveReport(otherShare)).isInstanceOf(ConflictException.class);
            DriftReportEntry idTaken = reportEntry(2, MONITOR, "w2", at(0), null, null, 0.5);
            assertThatThrownBy(() -> saveReport(idTaken)).isInstanceOf(AlreadyExistsException.class);
            assertThat(profileState(MONITOR)).isEqualTo(before);
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"reference", "current"})
        @DisplayName("a link to a profile that is not stored is NOT_FOUND naming the id; nothing is stored")
        void unknownLink(String which) {
            ProfileEntry ref = saved(profileEntry(1, "reference"));
            String missing = entryId(404);
            DriftReportEntry r = which.equals("reference")
                    ? reportEntry(2, MONITOR, "w1", at(0), missing, ref.id(), 0.0)
                    : reportEntry(2, MONITOR, "w1", at(0), ref.id(), missing, 0.0);
            List<Object> before = profileState(MONITOR);
            assertThatThrownBy(() -> saveReport(r)).isInstanceOf(NotFoundException.class)
                    .hasMessageContaining(missing);
            assertThat(profileState(MONITOR)).isEqualTo(before);
            assertThat(store.getDriftReport(r.id())).isEmpty();
        }

        @Test
        @DisplayName("a link may point at a profile of another subject")
        void linkAcrossSubjects() {
            ProfileEntry ref = saved(profileEntry(1, "dataset:train@sha256:" + "ab".repeat(32), "reference", null,
                    null));
            DriftReportEntry r = reportEntry(2, MONITOR, "w1", at(0), ref.id(), null, 0.0);
            assertThat(saveReport(r).created()).isTrue();
        }
    }

    @Nested
    @DisplayName("profiles through Mlops.profiles()")
    class ThroughTheApi {

        @Test
        @DisplayName("a profile saved under (subject, key) is read back equal, by id, by (subject, key) and in a"
                + " search, with the SHA-256 of its JSON and its row count")
        void roundTrip() {
            DatasetProfile profile = profileOf(1, 500);
            try (Mlops mlops = mlops(store)) {
                Created<StoredProfile> c = mlops.profiles().save(MONITOR, "2026-01", profile, at(0), at(60));
                assertThat(c.created()).isTrue();
                StoredProfile s = c.value();
                assertThat(s.digest()).isEqualTo(TckData.digest(json(profile)));
                assertThat(s.rows()).isEqualTo(500);
                assertThat(s.createdBy()).isEqualTo("carol");
                assertThat(s.windowStart()).isEqualTo(at(0));
                assertThat(mlops.profiles().get(s.id())).contains(s);
                assertThat(mlops.profiles().find(MONITOR, "2026-01")).contains(s);
                assertThat(mlops.profiles().get(s.id()).orElseThrow().profile()).isEqualTo(profile);
                assertThat(mlops.profiles().search(ProfileQuery.of(MONITOR), PageRequest.first()).items())
                        .containsExactly(s);
                Created<StoredProfile> again = mlops.profiles().save(MONITOR, "2026-01", profileOf(1, 500), at(0),
                        at(60));
                assertThat(again.created()).isFalse();
                assertThat(again.value()).isEqualTo(s);
                assertThatThrownBy(() -> mlops.profiles().save(MONITOR, "2026-01", profileOf(2, 500), at(0), at(60)))
                        .isInstanceOf(ConflictException.class);
            }
        }

        @Test
        @DisplayName("getOrCompute computes a reference profile once: later calls return the stored one without"
                + " computing")
        void getOrCompute() {
            AtomicInteger computed = new AtomicInteger();
            String subject = "dataset:train@sha256:" + "0f".repeat(32);
            try (Mlops mlops = mlops(store)) {
                StoredProfile first = mlops.profiles().getOrCompute(subject, "reference", () -> {
                    computed.incrementAndGet();
                    return profileOf(3, 200);
                });
                StoredProfile second = mlops.profiles().getOrCompute(subject, "reference", () -> {
                    computed.incrementAndGet();
                    return profileOf(4, 200);
                });
                assertThat(computed).hasValue(1);
                assertThat(second).isEqualTo(first);
                assertThat(second.profile()).isEqualTo(profileOf(3, 200));
                assertThatThrownBy(() -> mlops.profiles().getOrCompute(subject, "other", () -> null))
                        .isInstanceOfSatisfying(InvalidArgumentException.class,
                                e -> assertThat(e.field()).contains("compute"));
                assertThat(mlops.profiles().find(subject, "other")).isEmpty();
            }
        }

        @Test
        @DisplayName("each save appends one event (profile.saved, drift_report.saved) whose data holds only ids,"
                + " the key and the digest")
        void auditEvents() {
            try (Mlops mlops = mlops(store)) {
                StoredProfile ref = mlops.profiles().save(MONITOR, "reference", profileOf(1, 300)).value();
                StoredDriftReport r = mlops.profiles().saveWindow(MONITOR, "w-0", window(ref.profile(), 0),
                        ref.id()).value();
                List<AuditEvent> events = allAuditEvents(store);
                assertThat(events).extracting(AuditEvent::action)
                        .containsExactly("profile.saved", "profile.saved", "drift_report.saved");
                assertThat(events).extracting(AuditEvent::subject).containsOnly(MONITOR);
                assertThat(events.get(0).data()).isEqualTo("{\"digest\":\"" + ref.digest() + "\",\"id\":\""
                        + ref.id() + "\",\"key\":\"reference\"}");
                assertThat(events.get(2).data()).isEqualTo("{\"current_profile_id\":\"" + r.currentProfileId()
                        + "\",\"digest\":\"" + r.digest() + "\",\"id\":\"" + r.id() + "\",\"key\":\"w-0\","
                        + "\"reference_profile_id\":\"" + ref.id() + "\"}");
                assertChainIntact(events);
            }
        }

        @Test
        @DisplayName("a monitor window saved with saveWindow reads back as the same WindowReport; reports are"
                + " searched in window order")
        void windowReports() {
            DatasetProfile reference = profileOf(1, 2000);
            try (Mlops mlops = mlops(store)) {
                StoredProfile ref = mlops.profiles().save(MONITOR, "reference", reference).value();
                List<WindowReport> windows = new ArrayList<>();
                for (int i = 3; i >= 0; i--) {
                    WindowReport w = window(reference, i);
                    windows.add(0, w);
                    Created<StoredDriftReport> c = mlops.profiles().saveWindow(MONITOR,
                            String.format("w-%04d", w.sequence()), w, ref.id());
                    assertThat(c.created()).isTrue();
                    assertThat(c.value().kind()).isEqualTo(ReportKind.WINDOW);
                    assertThat(c.value().datasetDrift()).isEqualTo(w.drift());
                    assertThat(c.value().windowStart()).isEqualTo(w.start());
                }
                List<StoredDriftReport> stored = readAll(p -> mlops.profiles().searchReports(
                        ProfileQuery.of(MONITOR), p), 3);
                assertThat(stored).extracting(StoredDriftReport::key)
                        .containsExactly("w-0000", "w-0001", "w-0002", "w-0003");
                for (int i = 0; i < stored.size(); i++) {
                    WindowReport back = mlops.profiles().windowReport(stored.get(i));
                    assertThat(back).isEqualTo(windows.get(i));
                }
                assertThat(mlops.profiles().saveWindow(MONITOR, "w-0002", windows.get(2), ref.id()).created())
                        .as("saving a window again").isFalse();
                assertThat(stored.get(3).referenceProfileId()).isEqualTo(ref.id());
                assertThat(mlops.profiles().get(stored.get(3).currentProfileId()).orElseThrow().profile())
                        .isEqualTo(windows.get(3).profile());
            }
        }

        /** Window {@code i} of a monitor over {@code reference}: 1,200 rows, drifting from window 2 on. */
        private WindowReport window(DatasetProfile reference, int i) {
            List<WindowReport> out = new CopyOnWriteArrayList<>();
            Instant start = at(3600L * i);
            DriftMonitor monitor = DriftMonitor.builder(reference).numeric("temp").categorical("station")
                    .windowRows(1200).clock(Clock.fixed(start, ZoneOffset.UTC)).listener(out::add).build();
            SplittableRandom random = new SplittableRandom(100 + i);
            String[] stations = {"north", "south", "z\u00fcrich", "\u6771\u4eac"};
            for (int r = 0; r < 1200; r++) {
                double shift = i >= 2 ? 5 : 0;
                monitor.record(new double[] {10 + shift + 5 * random.nextGaussian()},
                        new String[] {stations[random.nextInt(stations.length)]});
            }
            monitor.close();
            assertThat(out).hasSize(1);
            WindowReport w = out.get(0);
            return new WindowReport(i, w.start(), w.end().plusSeconds(3600), w.rows(), w.columns(), w.profile());
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("dev.mlops.tck.ProfileStoreCompatibilityKit#profileBadInputs")
        @DisplayName("bad input is INVALID_ARGUMENT naming the field, and nothing is stored")
        void badInput(String what) {
            DatasetProfile p = profileOf(1, 10);
            try (Mlops mlops = mlops(store)) {
                ProfileStore profiles = mlops.profiles();
                String field = what.equals("upper-case kind") || what.contains("subject") ? "subject"
                        : what.contains("key") ? "key" : what.contains("profile") ? "profile" : "windowEnd";
                Throwable thrown = catchThrowable(() -> {
                    switch (what) {
                        case "blank subject" -> profiles.save("   ", "k", p);
                        case "subject without kind" -> profiles.save("checkout", "k", p);
                        case "upper-case kind" -> profiles.save("Monitor:checkout", "k", p);
                        case "subject with line break" -> profiles.save("monitor:a\nb", "k", p);
                        case "oversized subject" -> profiles.save("monitor:" + "x".repeat(ProfileStore.MAX_SUBJECT),
                                "k", p);
                        case "blank key" -> profiles.save(MONITOR, " ", p);
                        case "empty key" -> profiles.save(MONITOR, "", p);
                        case "oversized key" -> profiles.save(MONITOR, "k".repeat(ProfileStore.MAX_KEY + 1), p);
                        case "key with tab" -> profiles.save(MONITOR, "a\tb", p);
                        case "key with end space" -> profiles.save(MONITOR, "k ", p);
                        case "null profile" -> profiles.save(MONITOR, "k", null);
                        case "window end before start" -> profiles.save(MONITOR, "k", p, at(10), at(9));
                        case "null subject" -> profiles.find(null, "k");
                        case "null key" -> profiles.getOrCompute(MONITOR, null, () -> p);
                        default -> throw new IllegalArgumentException(what);
                    }
                });
                assertThat(thrown).isInstanceOfSatisfying(InvalidArgumentException.class,
                        e -> assertThat(e.field()).contains(field));
                assertThat(store.auditHead()).isEmpty();
                assertThat(profiles.search(ProfileQuery.of(MONITOR), PageRequest.first()).items()).isEmpty();
            }
            assertThat(store.findProfile(MONITOR, "k".repeat(ProfileStore.MAX_KEY))).isEmpty();
        }

        @Test
        @DisplayName("the longest subject and key are accepted")
        void longestAccepted() {
            String subject = "monitor:" + "s".repeat(ProfileStore.MAX_SUBJECT - 8);
            String key = "k".repeat(ProfileStore.MAX_KEY);
            try (Mlops mlops = mlops(store)) {
                StoredProfile s = mlops.profiles().save(subject, key, profileOf(1, 10)).value();
                assertThat(mlops.profiles().find(subject, key)).contains(s);
            }
        }

        @Test
        @DisplayName("a stored profile whose JSON does not match its digest is INTEGRITY naming the entry, by id, by"
                + " key and in searches")
        void digestMismatch() {
            String id;
            try (Mlops mlops = mlops(store)) {
                id = mlops.profiles().save(MONITOR, "reference", profileOf(1, 100)).value().id();
            }
            String other = json(profileOf(2, 100));
            MetadataStore corrupt = rewritingBodies(store, e -> new ProfileEntry(e.id(), e.subject(), e.key(),
                    e.windowStart(), e.windowEnd(), e.rows(), e.digest(), other, e.createdTime(), e.createdBy()));
            try (Mlops mlops = mlops(corrupt)) {
                for (Runnable read : List.<Runnable>of(() -> mlops.profiles().get(id),
                        () -> mlops.profiles().find(MONITOR, "reference"),
                        () -> mlops.profiles().search(ProfileQuery.of(MONITOR), PageRequest.first()),
                        () -> mlops.profiles().getOrCompute(MONITOR, "reference", () -> profileOf(1, 100)))) {
                    assertThatThrownBy(read::run).isInstanceOfSatisfying(MlopsException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.INTEGRITY))
                            .hasMessageContaining(id).hasMessageContaining("reference");
                }
            }
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"another format version", "not JSON", "inconsistent"})
        @DisplayName("a stored profile of another format version, or corrupted before its digest was taken, fails"
                + " with STORAGE naming the entry")
        void unreadableProfile(String what) {
            String id;
            String original;
            try (Mlops mlops = mlops(store)) {
                StoredProfile s = mlops.profiles().save(MONITOR, "reference", profileOf(1, 100)).value();
                id = s.id();
                original = json(s.profile());
            }
            String body = switch (what) {
                case "another format version" -> original.replace("\"format_version\":1", "\"format_version\":2");
                case "not JSON" -> original.substring(0, original.length() / 2);
                case "inconsistent" -> original.replaceFirst("\"rows\":100", "\"rows\":101");
                default -> throw new IllegalArgumentException(what);
            };
            assertThat(body).isNotEqualTo(original);
            MetadataStore rewritten = rewritingBodies(store, e -> new ProfileEntry(e.id(), e.subject(), e.key(),
                    e.windowStart(), e.windowEnd(), e.rows(), TckData.digest(body), body, e.createdTime(),
                    e.createdBy()));
            try (Mlops mlops = mlops(rewritten)) {
                assertThatThrownBy(() -> mlops.profiles().get(id)).isInstanceOf(StorageException.class)
                        .hasMessageContaining(id).hasMessageContaining("reference");
            }
        }

        private MetadataStore rewritingBodies(MetadataStore delegate, UnaryOperator<ProfileEntry> rewrite) {
            return new ForwardingMetadataStore() {
                @Override
                protected MetadataStore delegate() {
                    return delegate;
                }

                @Override
                public Optional<ProfileEntry> getProfile(String id) {
                    return super.getProfile(id).map(rewrite);
                }

                @Override
                public Optional<ProfileEntry> findProfile(String subject, String key) {
                    return super.findProfile(subject, key).map(rewrite);
                }

                @Override
                public dev.mlops.Page<ProfileEntry> searchProfiles(ProfileQuery query, PageRequest page) {
                    var p = super.searchProfiles(query, page);
                    return new dev.mlops.Page<>(p.items().stream().map(rewrite).toList(), p.nextPageToken());
                }
            };
        }
    }

    @Nested
    @DisplayName("profiles: after close()")
    class ProfilesAfterClose {
        private static final List<String> CALLS = List.of("saveProfile", "getProfile", "findProfile",
                "searchProfiles", "searchProfiles with a malformed page token", "saveDriftReport", "getDriftReport",
                "findDriftReport", "searchDriftReports");

        @ParameterizedTest(name = "{0}")
        @MethodSource("dev.mlops.tck.ProfileStoreCompatibilityKit#profileCallsAfterClose")
        @DisplayName("after close() every profile and drift report call fails with STORAGE")
        void closedStoreRefusesProfileCalls(String call) {
            ProfileEntry p = saved(profileEntry(1, "reference"));
            String description = store.describe();
            store.close();
            PendingAuditEvent pending = audit("after.close", MONITOR);
            Throwable thrown = catchThrowable(() -> {
                switch (call) {
                    case "saveProfile" -> store.saveProfile(profileEntry(2, "w"), pending);
                    case "getProfile" -> store.getProfile(p.id());
                    case "findProfile" -> store.findProfile(MONITOR, "reference");
                    case "searchProfiles" -> store.searchProfiles(ProfileQuery.of(MONITOR), PageRequest.first());
                    case "searchProfiles with a malformed page token" -> store.searchProfiles(
                            ProfileQuery.of(MONITOR), new PageRequest(10, "%%%"));
                    case "saveDriftReport" -> store.saveDriftReport(reportEntry(3, MONITOR, "w", at(0), p.id(),
                            null, 0.0), pending);
                    case "getDriftReport" -> store.getDriftReport(p.id());
                    case "findDriftReport" -> store.findDriftReport(MONITOR, "w");
                    case "searchDriftReports" -> store.searchDriftReports(ProfileQuery.of(MONITOR),
                            PageRequest.first());
                    default -> throw new IllegalArgumentException(call);
                }
            });
            assertThat(thrown).as("what %s threw after close()", call).isInstanceOf(StorageException.class);
            assertThat(((MlopsException) thrown).code()).isEqualTo(ErrorCode.STORAGE);
            assertThat(store.describe()).isEqualTo(description);
        }
    }
}
