package dev.mlops.tck;

import static dev.mlops.tck.KitSupport.allAuditEvents;
import static dev.mlops.tck.KitSupport.assertChainIntact;
import static dev.mlops.tck.KitSupport.auditSize;
import static dev.mlops.tck.KitSupport.readAll;
import static dev.mlops.tck.KitSupport.runConcurrently;
import static dev.mlops.tck.TckData.artifact;
import static dev.mlops.tck.TckData.at;
import static dev.mlops.tck.TckData.audit;
import static dev.mlops.tck.TckData.decision;
import static dev.mlops.tck.TckData.governance;
import static dev.mlops.tck.TckData.model;
import static dev.mlops.tck.TckData.modelDigest;
import static dev.mlops.tck.TckData.newModel;
import static dev.mlops.tck.TckData.newVersion;
import static dev.mlops.tck.TckData.runId;
import static dev.mlops.tck.TckData.update;
import static dev.mlops.tck.TckData.version;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.mlops.ConflictException;
import dev.mlops.Created;
import dev.mlops.ErrorCode;
import dev.mlops.InvalidArgumentException;
import dev.mlops.MlopsException;
import dev.mlops.Page;
import dev.mlops.PageRequest;
import dev.mlops.StorageException;
import dev.mlops.audit.AuditEvent;
import dev.mlops.registry.AliasChange;
import dev.mlops.registry.ApprovalStatus;
import dev.mlops.registry.Governance;
import dev.mlops.registry.ModelQuery;
import dev.mlops.registry.ModelVersion;
import dev.mlops.registry.RegisteredModel;
import dev.mlops.registry.VersionQuery;
import dev.mlops.registry.VersionStatus;
import dev.mlops.spi.PendingAuditEvent;
import dev.mlops.tck.KitSupport.Outcome;
import dev.mlops.tracking.Run;
import dev.mlops.tracking.RunStatus;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The registry groups about listings and guarantees: searches with every filter, keyset pagination, concurrent
 * writers (optimistic version numbering, alias compare-and-set, approvals, case-insensitive names), atomicity of
 * refused mutations, one audit event per change, and the closed store. {@link ModelRegistryCompatibilityKit} extends
 * this class, so its subclasses run these groups too.
 */
public abstract class ModelRegistryConsistencyKit extends RegistryKitBase {

    static List<String> registryCallsAfterClose() {
        return RegistryAfterClose.CALLS;
    }

    static List<String> refusedMutations() {
        return RegistryAtomicity.REFUSED;
    }

    // ---- tests ------------------------------------------------------------------------------------------------

    @Nested
    @DisplayName("registry: searching models and versions")
    class RegistrySearch {

        private static final List<String> MODEL_NAMES = List.of("beta", "Alpha", "alpha-2", "Zulu", "_under",
                "gamma", "alphabet");

        private void createSearchModels() {
            createModel(model("beta").tag("tier", "gold").governance(governance("sales")).build());
            createModel(model("Alpha").tag("tier", "gold").build());
            createModel(model("alpha-2").tag("tier", "silver").governance(governance("sales")).build());
            createModel(model("Zulu").governance(governance("ops")).build());
            createModel(model("_under").tag("tier", "gold").governance(governance("ops")).build());
            createModel(model("gamma").build());
            createModel(model("alphabet").tag("tier", "gold").governance(governance("sales")).build());
        }

        @ParameterizedTest(name = "page size {0}")
        @ValueSource(ints = {1, 2, 3, 100})
        @DisplayName("models are listed by name in String.compareTo order, in pages of any size")
        void modelOrder(int pageSize) {
            createSearchModels();
            List<String> expected = MODEL_NAMES.stream().sorted().toList();
            assertThat(names(readAll(p -> store.searchModels(ModelQuery.all(), p), pageSize)))
                    .containsExactlyElementsOf(expected)
                    .startsWith("Alpha", "Zulu", "_under", "alpha-2", "alphabet");
        }

        @Test
        @DisplayName("model filters: name prefix (case-sensitive), tags with exact values, business owner, and all"
                + " of them together")
        void modelFilters() {
            createSearchModels();
            assertThat(names(models(ModelQuery.builder().namePrefix("alpha").build())))
                    .containsExactly("alpha-2", "alphabet");
            assertThat(names(models(ModelQuery.builder().namePrefix("Al").build()))).containsExactly("Alpha");
            assertThat(names(models(ModelQuery.builder().namePrefix("zulu").build()))).isEmpty();
            assertThat(names(models(ModelQuery.builder().tag("tier", "gold").build())))
                    .containsExactly("Alpha", "_under", "alphabet", "beta");
            assertThat(names(models(ModelQuery.builder().tag("tier", "gold").tag("team", "tck").build())))
                    .containsExactly("Alpha", "_under", "alphabet", "beta");
            assertThat(names(models(ModelQuery.builder().tag("tier", "GOLD").build()))).isEmpty();
            assertThat(names(models(ModelQuery.builder().businessOwner("sales").build())))
                    .containsExactly("alpha-2", "alphabet", "beta");
            assertThat(names(models(ModelQuery.builder().namePrefix("alpha").tag("tier", "gold")
                    .businessOwner("sales").build()))).containsExactly("alphabet");
        }

        @Test
        @DisplayName("a model search sees later changes of tags and governance")
        void modelSearchSeesChanges() {
            createSearchModels();
            store.updateModel("gamma", update(900).setTag("tier", "gold").governance(governance("sales")).build(),
                    audit("model.update", subject("gamma")));
            store.updateModel("beta", update(901).removeTag("tier").governance(Governance.EMPTY).build(),
                    audit("model.update", subject("beta")));
            assertThat(names(models(ModelQuery.builder().tag("tier", "gold").build())))
                    .containsExactly("Alpha", "_under", "alphabet", "gamma");
            assertThat(names(models(ModelQuery.builder().businessOwner("sales").build())))
                    .containsExactly("alpha-2", "alphabet", "gamma");
        }

        @ParameterizedTest(name = "page size {0}")
        @ValueSource(ints = {1, 4, 100})
        @DisplayName("versions are listed by model name, then number (numerically), in pages of any size")
        void versionOrder(int pageSize) {
            createModel("b");
            createModel("A");
            for (int i = 0; i < 11; i++) {
                registerNext("b");
            }
            registerNext("A");
            registerNext("A");
            List<String> expected = new ArrayList<>(List.of("A/1", "A/2"));
            IntStream.rangeClosed(1, 11).forEach(i -> expected.add("b/" + i));

            assertThat(refs(readAll(p -> store.searchModelVersions(VersionQuery.all(), p), pageSize)))
                    .containsExactlyElementsOf(expected);
            assertThat(numbers(readAll(p -> store.searchModelVersions(VersionQuery.of("b"), p), pageSize)))
                    .containsExactlyElementsOf(IntStream.rangeClosed(1, 11).boxed().toList());
        }

        @Test
        @DisplayName("version filters: exact model name, status, approval, run and tags, and all together")
        void versionFilters() {
            createRun(1);
            createRun(2);
            createModel(CHURN);
            createModel("churn2");
            register(version(CHURN, 1).run(runId(1)).tag("stage", "prod").build());
            register(version(CHURN, 2).run(runId(2)).build());
            register(version(CHURN, 3).run(runId(1)).build());
            register(version(CHURN, 4).build());
            register(version("churn2", 1).run(runId(1)).tag("stage", "prod").build());
            makeReady(CHURN, 1);
            makeReady(CHURN, 2);
            makeFailed(CHURN, 3);
            makeReady("churn2", 1);
            decide(CHURN, 1, ApprovalStatus.APPROVED, 800);
            decide(CHURN, 2, ApprovalStatus.REJECTED, 801);
            decide("churn2", 1, ApprovalStatus.APPROVED, 802);

            assertThat(refs(versions(VersionQuery.of(CHURN)))).containsExactly("churn/1", "churn/2", "churn/3",
                    "churn/4");
            assertThat(refs(versions(VersionQuery.of("chur")))).isEmpty();
            assertThat(refs(versions(VersionQuery.of("Churn")))).isEmpty();
            assertThat(refs(versions(VersionQuery.builder().status(VersionStatus.READY).build())))
                    .containsExactly("churn/1", "churn/2", "churn2/1");
            assertThat(refs(versions(VersionQuery.builder().status(VersionStatus.FAILED).build())))
                    .containsExactly("churn/3");
            assertThat(refs(versions(VersionQuery.builder().status(VersionStatus.PENDING).build())))
                    .containsExactly("churn/4");
            assertThat(refs(versions(VersionQuery.builder().approval(ApprovalStatus.APPROVED).build())))
                    .containsExactly("churn/1", "churn2/1");
            assertThat(refs(versions(VersionQuery.builder().approval(ApprovalStatus.REJECTED).build())))
                    .containsExactly("churn/2");
            assertThat(refs(versions(VersionQuery.builder().approval(ApprovalStatus.PENDING).build())))
                    .containsExactly("churn/3", "churn/4");
            assertThat(refs(versions(VersionQuery.builder().runId(runId(1)).build())))
                    .containsExactly("churn/1", "churn/3", "churn2/1");
            assertThat(refs(versions(VersionQuery.builder().runId(runId(3)).build()))).isEmpty();
            assertThat(refs(versions(VersionQuery.builder().tag("stage", "prod").build())))
                    .containsExactly("churn/1", "churn2/1");
            assertThat(refs(versions(VersionQuery.builder().tag("stage", "candidate").build())))
                    .containsExactly("churn/2", "churn/3", "churn/4");
            assertThat(refs(versions(VersionQuery.builder().modelName(CHURN).status(VersionStatus.READY)
                    .approval(ApprovalStatus.APPROVED).runId(runId(1)).tag("stage", "prod").build())))
                    .containsExactly("churn/1");
        }

        @Test
        @DisplayName("a version search sees later changes: status, approval, tags, deletion")
        void versionSearchSeesChanges() {
            createModel(CHURN);
            registerNext(CHURN);
            registerNext(CHURN);
            VersionQuery ready = VersionQuery.builder().status(VersionStatus.READY).build();
            assertThat(versions(ready)).isEmpty();
            makeReady(CHURN, 2);
            assertThat(refs(versions(ready))).containsExactly("churn/2");
            decide(CHURN, 1, ApprovalStatus.APPROVED, 800);
            assertThat(refs(versions(VersionQuery.builder().approval(ApprovalStatus.APPROVED).build())))
                    .containsExactly("churn/1");
            store.updateModelVersion(CHURN, 1, update(801).setTag("stage", "prod").build(),
                    audit("model.version.update", subject(CHURN, 1)));
            assertThat(refs(versions(VersionQuery.builder().tag("stage", "prod").build())))
                    .containsExactly("churn/1");
            deleteVersion(CHURN, 1);
            assertThat(refs(versions(VersionQuery.all()))).containsExactly("churn/2");
            assertThat(versions(VersionQuery.builder().tag("stage", "prod").build())).isEmpty();
        }

        @ParameterizedTest(name = "seed {0}")
        @ValueSource(longs = {11, 12, 13, 14})
        @DisplayName("random searches return exactly what ModelQuery.matches and VersionQuery.matches accept, in"
                + " order, in any page size")
        void randomSearches(long seed) {
            SplittableRandom random = new SplittableRandom(seed);
            List<String> pool = List.of("alpha", "alpha.v2", "Alpine", "beta", "B", "b-team", "zeta");
            List<String> owners = List.of("sales", "ops");
            createRun(1);
            createRun(2);
            List<String> runs = List.of(runId(1), runId(2));
            List<String> chosen = new ArrayList<>(pool);
            while (chosen.size() > 4) {
                chosen.remove(random.nextInt(chosen.size()));
            }
            for (String name : chosen) {
                TckData.ModelBuilder m = model(name);
                if (random.nextBoolean()) {
                    m.tag("tier", random.nextBoolean() ? "gold" : "silver");
                }
                if (random.nextInt(3) > 0) {
                    m.governance(governance(owners.get(random.nextInt(owners.size()))));
                }
                createModel(m.build());
                int count = random.nextInt(5);
                for (int n = 1; n <= count; n++) {
                    TckData.VersionBuilder v = version(name, n);
                    if (random.nextInt(3) > 0) {
                        v.run(runs.get(random.nextInt(runs.size())));
                    }
                    if (random.nextBoolean()) {
                        v.tag("stage", random.nextBoolean() ? "prod" : "shadow");
                    }
                    register(v.build());
                    switch (random.nextInt(3)) {
                        case 1 -> makeReady(name, n);
                        case 2 -> makeFailed(name, n);
                        default -> { }
                    }
                    int decision = random.nextInt(3);
                    if (decision > 0) {
                        decide(name, n, decision == 1 ? ApprovalStatus.APPROVED : ApprovalStatus.REJECTED, 800 + n);
                    }
                    if (random.nextInt(8) == 0) {
                        deleteVersion(name, n);
                    }
                }
            }
            List<RegisteredModel> allModels = new ArrayList<>();
            List<ModelVersion> allVersions = new ArrayList<>();
            for (String name : chosen.stream().sorted().toList()) {
                RegisteredModel m = getModel(name);
                allModels.add(m);
                for (int n = 1; n <= m.latestVersion(); n++) {
                    store.getModelVersion(name, n).ifPresent(allVersions::add);
                }
            }

            for (int q = 0; q < 20; q++) {
                ModelQuery.Builder mq = ModelQuery.builder();
                if (random.nextBoolean()) {
                    mq.namePrefix(List.of("a", "al", "alpha", "A", "B", "b", "z", "").get(random.nextInt(8)));
                }
                if (random.nextInt(3) == 0) {
                    mq.tag("tier", random.nextBoolean() ? "gold" : "silver");
                }
                if (random.nextInt(3) == 0) {
                    mq.businessOwner(owners.get(random.nextInt(owners.size())));
                }
                ModelQuery modelQuery = mq.build();
                int modelPage = 1 + random.nextInt(4);
                assertThat(readAll(p -> store.searchModels(modelQuery, p), modelPage))
                        .as("models matching %s in pages of %d", modelQuery, modelPage)
                        .containsExactlyElementsOf(allModels.stream().filter(modelQuery::matches).toList());

                VersionQuery.Builder vq = VersionQuery.builder();
                if (random.nextInt(3) == 0) {
                    vq.modelName(pool.get(random.nextInt(pool.size())));
                }
                if (random.nextInt(3) == 0) {
                    vq.status(VersionStatus.values()[random.nextInt(3)]);
                }
                if (random.nextInt(3) == 0) {
                    vq.approval(ApprovalStatus.values()[random.nextInt(3)]);
                }
                if (random.nextInt(3) == 0) {
                    vq.runId(runId(1 + random.nextInt(3)));
                }
                if (random.nextInt(3) == 0) {
                    vq.tag("stage", random.nextBoolean() ? "prod" : "candidate");
                }
                VersionQuery versionQuery = vq.build();
                int versionPage = 1 + random.nextInt(5);
                assertThat(readAll(p -> store.searchModelVersions(versionQuery, p), versionPage))
                        .as("versions matching %s in pages of %d", versionQuery, versionPage)
                        .containsExactlyElementsOf(allVersions.stream().filter(versionQuery::matches).toList());
            }
        }
    }

    @Nested
    @DisplayName("registry: pagination")
    class RegistryPagination {

        @Test
        @DisplayName("a full first page of a longer listing has a next page token; the first page of an empty"
                + " listing has none")
        void tokens() {
            assertThat(store.searchModels(ModelQuery.all(), PageRequest.first(5)).nextPageToken()).isNull();
            assertThat(store.searchModelVersions(VersionQuery.all(), PageRequest.first(5)).nextPageToken()).isNull();
            createModel(CHURN);
            createModel(FRAUD);
            registerNext(CHURN);
            registerNext(CHURN);

            Page<RegisteredModel> models = store.searchModels(ModelQuery.all(), PageRequest.first(1));
            assertThat(names(models.items())).containsExactly(CHURN);
            assertThat(models.nextPageToken()).isNotNull();
            Page<ModelVersion> versions = store.searchModelVersions(VersionQuery.of(CHURN), PageRequest.first(1));
            assertThat(numbers(versions.items())).containsExactly(1);
            assertThat(versions.nextPageToken()).isNotNull();
        }

        @ParameterizedTest(name = "page size {0}")
        @ValueSource(ints = {1, 2, 3})
        @DisplayName("models and versions created between pages, before and after the page boundary, neither make"
                + " a listing skip nor repeat an item")
        void insertsBetweenPages(int pageSize) {
            for (String name : List.of("d", "h", "l", "p")) {
                createModel(name);
                registerNext(name);
                registerNext(name);
            }
            Set<String> initialModels = Set.of("d", "h", "l", "p");
            int[] round = {0};
            List<String> seenModels = names(pagedWithInserts(p -> store.searchModels(ModelQuery.all(), p),
                    pageSize, () -> {
                        if (++round[0] <= 3) {
                            createModel("a" + (char) ('a' + round[0]));
                            createModel("m" + (char) ('a' + round[0]));
                            createModel("z" + (char) ('a' + round[0]));
                        }
                    }));
            assertExactlyOnce(seenModels, initialModels);

            Set<String> initialVersions = new HashSet<>(refs(versions(VersionQuery.all())));
            int[] versionRound = {0};
            List<String> seenVersions = refs(pagedWithInserts(p -> store.searchModelVersions(VersionQuery.all(), p),
                    pageSize, () -> {
                        if (++versionRound[0] <= 3) {
                            registerNext("ab");
                            registerNext("h");
                            registerNext("p");
                            registerNext("zb");
                        }
                    }));
            assertExactlyOnce(seenVersions, initialVersions);
        }

        @Test
        @DisplayName("while another thread registers versions and creates models, a paged search returns every"
                + " earlier item exactly once")
        void concurrentInserts() throws Exception {
            for (String name : List.of("f", "k", "t")) {
                createModel(name);
                for (int i = 0; i < 4; i++) {
                    registerNext(name);
                }
            }
            Set<String> initialVersions = new HashSet<>(refs(versions(VersionQuery.all())));
            Set<String> initialModels = new HashSet<>(names(models(ModelQuery.all())));
            ExecutorService writer = Executors.newSingleThreadExecutor();
            AtomicBoolean stop = new AtomicBoolean();
            try {
                Future<Integer> inserts = writer.submit(() -> {
                    int n = 0;
                    while (n < 5 || (!stop.get() && n < 60)) {
                        String name = (n % 2 == 0 ? "a" : "x") + n;
                        createModel(name);
                        registerNext(name);
                        registerNext(n % 3 == 0 ? "f" : n % 3 == 1 ? "k" : "t");
                        n++;
                    }
                    return n;
                });
                List<String> seenVersions = new ArrayList<>();
                List<String> seenModels = new ArrayList<>();
                for (int pass = 0; pass < 3; pass++) {
                    seenVersions = refs(readAll(p -> store.searchModelVersions(VersionQuery.all(), p), 2));
                    seenModels = names(readAll(p -> store.searchModels(ModelQuery.all(), p), 2));
                    assertExactlyOnce(seenVersions, initialVersions);
                    assertExactlyOnce(seenModels, initialModels);
                }
                stop.set(true);
                assertThat(inserts.get(KitSupport.TIMEOUT_SECONDS, TimeUnit.SECONDS)).isPositive();
            } finally {
                stop.set(true);
                writer.shutdownNow();
                assertThat(writer.awaitTermination(KitSupport.TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
            }
        }

        @ParameterizedTest(name = "\"{0}\"")
        @ValueSource(strings = {"not a token", "%%%", "AAAA", "eyJ4IjoxfQ", "////", "Zm9v"})
        @DisplayName("a malformed page token is INVALID_ARGUMENT on field pageToken, for both registry listings")
        void badTokens(String token) {
            createModel(CHURN);
            createModel(FRAUD);
            registerNext(CHURN);
            registerNext(CHURN);
            PageRequest bad = new PageRequest(1, token);

            List<Runnable> calls = List.of(
                    () -> store.searchModels(ModelQuery.all(), bad),
                    () -> store.searchModels(ModelQuery.builder().namePrefix("c").build(), bad),
                    () -> store.searchModelVersions(VersionQuery.all(), bad),
                    () -> store.searchModelVersions(VersionQuery.of(CHURN), bad));
            for (Runnable call : calls) {
                assertThatThrownBy(call::run)
                        .isInstanceOfSatisfying(InvalidArgumentException.class,
                                e -> assertThat(e.field()).contains("pageToken"));
            }
        }

        /** Pages through a listing, running {@code insert} after every page. */
        private <T> List<T> pagedWithInserts(Function<PageRequest, Page<T>> lister, int pageSize, Runnable insert) {
            List<T> all = new ArrayList<>();
            PageRequest request = PageRequest.first(pageSize);
            for (int pages = 1; pages < 1000; pages++) {
                Page<T> page = lister.apply(request);
                assertThat(page.items().size()).as("page size").isLessThanOrEqualTo(pageSize);
                all.addAll(page.items());
                if (page.nextPageToken() == null) {
                    return all;
                }
                insert.run();
                request = request.next(page);
            }
            throw new AssertionError("a listing did not end after 1000 pages");
        }

        private void assertExactlyOnce(List<String> seen, Set<String> initial) {
            assertThat(new HashSet<>(seen)).as("no item repeated in %s", seen).hasSize(seen.size());
            assertThat(seen).as("every item present from the start").containsAll(initial);
        }
    }

    @Nested
    @DisplayName("registry: concurrency")
    class RegistryConcurrency {
        private static final int THREADS = 4;
        private static final int VERSIONS_PER_THREAD = 8;
        private static final int RACERS = 8;

        @Test
        @DisplayName("4 threads registering 8 versions each with the optimistic loop (read latestVersion, register"
                + " latest + 1, retry on CONFLICT) end with versions 1..32, no gap, no duplicate, 32 events")
        void optimisticNumbering() throws Exception {
            createModel(CHURN);
            long before = auditSize(store);

            runConcurrently(THREADS, t -> {
                int lost = 0;
                for (int i = 0; i < VERSIONS_PER_THREAD; i++) {
                    while (true) {
                        int next = getModel(CHURN).latestVersion() + 1;
                        try {
                            Created<ModelVersion> c = createVersion(version(CHURN, next).tag("thread", "t" + t)
                                    .tag("i", "i" + i).createdBy("thread-" + t).build());
                            assertThat(c.created()).isTrue();
                            break;
                        } catch (ConflictException e) {
                            lost++;
                            assertThat(lost).as("lost races of thread %d", t).isLessThan(100_000);
                        }
                    }
                }
                return null;
            });

            int total = THREADS * VERSIONS_PER_THREAD;
            List<ModelVersion> all = versions(VersionQuery.of(CHURN));
            assertThat(numbers(all)).containsExactlyElementsOf(IntStream.rangeClosed(1, total).boxed().toList());
            assertThat(all.stream().map(v -> v.tags().get("thread") + "." + v.tags().get("i")).distinct().count())
                    .as("every (thread, i) registered once").isEqualTo(total);
            assertThat(getModel(CHURN).latestVersion()).isEqualTo(total);
            List<AuditEvent> events = allAuditEvents(store);
            assertThat(events).hasSize((int) before + total);
            assertThat(events).filteredOn(e -> e.action().equals("model.version.create")).hasSize(total);
            assertChainIntact(events);
        }

        @Test
        @DisplayName("threads registering with the same idempotency key through the optimistic loop: one version"
                + " is created, all get it, one event")
        void sameIdempotencyKey() throws Exception {
            createModel(CHURN);
            long before = auditSize(store);

            List<Created<ModelVersion>> results = runConcurrently(RACERS, t -> {
                for (int attempt = 0; attempt < 100_000; attempt++) {
                    int next = getModel(CHURN).latestVersion() + 1;
                    try {
                        return createVersion(version(CHURN, next).idempotencyKey("job-42").build());
                    } catch (ConflictException e) {
                        // another thread took the number: read again
                    }
                }
                throw new AssertionError("thread " + t + " never registered");
            });

            assertThat(results).filteredOn(Created::created).hasSize(1);
            assertThat(results).extracting(Created::value).containsOnly(getVersion(CHURN, 1));
            assertThat(numbers(versions(VersionQuery.of(CHURN)))).containsExactly(1);
            assertThat(auditSize(store)).isEqualTo(before + 1);
        }

        @ParameterizedTest(name = "expected current {0}")
        @CsvSource(value = {"null", "1"}, nullValues = "null")
        @DisplayName("8 threads setting one alias with the same expectation: exactly one wins, the others are"
                + " CONFLICT, one event")
        void aliasRace(Integer expected) throws Exception {
            createModel(CHURN);
            for (int i = 0; i <= RACERS; i++) {
                readyVersion(CHURN);
            }
            if (expected != null) {
                setAlias(CHURN, PRODUCTION, expected, null, 700);
            }
            long before = auditSize(store);

            List<Outcome<AliasChange>> results = runConcurrently(RACERS,
                    t -> Outcome.of(() -> setAlias(CHURN, PRODUCTION, t + 2, expected, 800 + t)));

            List<AliasChange> winners = results.stream().filter(Outcome::succeeded).map(Outcome::value).toList();
            assertThat(winners).hasSize(1);
            assertThat(results).filteredOn(o -> !o.succeeded()).extracting(Outcome::error)
                    .containsOnly(ErrorCode.CONFLICT).hasSize(RACERS - 1);
            AliasChange winner = winners.get(0);
            assertThat(winner.previous()).isEqualTo(expected);
            assertThat(getModel(CHURN).aliases()).isEqualTo(Map.of(PRODUCTION, winner.current()));
            assertThat(versions(VersionQuery.of(CHURN))).filteredOn(v -> v.aliases().contains(PRODUCTION))
                    .extracting(ModelVersion::version).containsExactly(winner.current());
            assertThat(auditSize(store)).isEqualTo(before + 1);
        }

        @Test
        @DisplayName("8 threads setting one alias, each with two events: exactly one wins, its two events are"
                + " appended next to each other, the others append nothing; the chain verifies")
        void aliasRaceWithSeveralEvents() throws Exception {
            createModel(CHURN);
            for (int i = 0; i <= RACERS; i++) {
                readyVersion(CHURN);
            }
            setAlias(CHURN, PRODUCTION, 1, null, 700);
            long before = auditSize(store);

            List<Outcome<AliasChange>> results = runConcurrently(RACERS, t -> Outcome.of(() ->
                    store.setAlias(CHURN, PRODUCTION, t + 2, 1, at(800 + t), List.of(
                            audit("promotion.decided", subject(CHURN, t + 2), "{\"racer\":" + t + "}"),
                            audit("model_alias.move", "model:" + CHURN + "@" + PRODUCTION,
                                    "{\"racer\":" + t + "}")))));

            List<AliasChange> winners = results.stream().filter(Outcome::succeeded).map(Outcome::value).toList();
            assertThat(winners).hasSize(1);
            assertThat(results).filteredOn(o -> !o.succeeded()).extracting(Outcome::error)
                    .containsOnly(ErrorCode.CONFLICT).hasSize(RACERS - 1);
            int racer = winners.get(0).current() - 2;
            assertThat(getModel(CHURN).aliases()).isEqualTo(Map.of(PRODUCTION, racer + 2));
            List<AuditEvent> appended = store.auditEvents(before, 10);
            assertThat(appended).extracting(AuditEvent::action).containsExactly("promotion.decided",
                    "model_alias.move");
            assertThat(appended).extracting(AuditEvent::data).containsOnly("{\"racer\":" + racer + "}");
            assertChainIntact(allAuditEvents(store));
        }

        @Test
        @DisplayName("8 threads deciding one approval: exactly one wins, the others are CONFLICT, one event")
        void approvalRace() throws Exception {
            createModel(CHURN);
            readyVersion(CHURN);
            long before = auditSize(store);

            List<Outcome<ModelVersion>> results = runConcurrently(RACERS, t -> Outcome.of(() ->
                    store.decideApproval(CHURN, 1, decision(t % 2 == 0 ? ApprovalStatus.APPROVED
                            : ApprovalStatus.REJECTED, "approver-" + t, 900 + t),
                            audit("model.version.decide", subject(CHURN, 1)))));

            List<ModelVersion> winners = results.stream().filter(Outcome::succeeded).map(Outcome::value).toList();
            assertThat(winners).hasSize(1);
            assertThat(results).filteredOn(o -> !o.succeeded()).extracting(Outcome::error)
                    .containsOnly(ErrorCode.CONFLICT).hasSize(RACERS - 1);
            assertThat(store.getModelVersion(CHURN, 1)).contains(winners.get(0));
            assertThat(auditSize(store)).isEqualTo(before + 1);
        }

        @Test
        @DisplayName("8 threads creating names equal ignoring case: exactly one model is created, the others are"
                + " ALREADY_EXISTS, one event")
        void caseVariantRace() throws Exception {
            List<String> variants = List.of("churn", "Churn", "CHURN", "cHurn", "chUrn", "churN", "CHurn", "chURN");
            List<Outcome<Created<RegisteredModel>>> results = runConcurrently(RACERS, t -> Outcome.of(() ->
                    store.createModel(newModel(variants.get(t)), audit("model.create", subject(variants.get(t))))));

            List<Created<RegisteredModel>> winners = results.stream().filter(Outcome::succeeded)
                    .map(Outcome::value).toList();
            assertThat(winners).hasSize(1);
            assertThat(winners.get(0).created()).isTrue();
            assertThat(results).filteredOn(o -> !o.succeeded()).extracting(Outcome::error)
                    .containsOnly(ErrorCode.ALREADY_EXISTS).hasSize(RACERS - 1);
            assertThat(models(ModelQuery.all())).containsExactly(winners.get(0).value());
            assertThat(auditSize(store)).isEqualTo(1);
        }
    }

    @Nested
    @DisplayName("registry: atomicity and audit events")
    class RegistryAtomicity {

        private static final List<String> REFUSED = List.of("creating a model differing only in case",
                "registering a stale number", "registering with an unknown run", "registering for an unknown model",
                "finishing as PENDING", "finishing READY with another digest", "finishing a READY version",
                "approving twice", "setting an alias with a stale expectation",
                "setting an alias with two events and a stale expectation", "aliasing a PENDING version",
                "aliasing a PENDING version with two events",
                "deleting an alias with a stale expectation", "deleting an unknown alias",
                "deleting an aliased version", "updating an unknown model", "updating an unknown version");

        @ParameterizedTest(name = "{0}")
        @MethodSource("dev.mlops.tck.ModelRegistryConsistencyKit#refusedMutations")
        @DisplayName("a refused registry mutation changes nothing and appends no audit event")
        void refusedMutationChangesNothing(String mutation) {
            createRun(1);
            createModel(CHURN);
            register(version(CHURN, 1).run(runId(1)).build());
            makeReady(CHURN, 1);
            decide(CHURN, 1, ApprovalStatus.APPROVED, 600);
            setAlias(CHURN, PRODUCTION, 1, null, 700);
            register(version(CHURN, 2).run(runId(1)).build());
            List<Object> before = registryState(List.of(runId(1), runId(2)), List.of());
            AuditEvent head = head();

            assertThatThrownBy(() -> {
                switch (mutation) {
                    case "creating a model differing only in case" -> store.createModel(newModel("Churn"),
                            audit("model.create", subject("Churn")));
                    case "registering a stale number" -> createVersion(newVersion(CHURN, 2));
                    case "registering with an unknown run" -> createVersion(version(CHURN, 3).run(runId(2)).build());
                    case "registering for an unknown model" -> createVersion(newVersion(FRAUD, 1));
                    case "finishing as PENDING" -> store.finishModelVersion(CHURN, 2, VersionStatus.PENDING, null,
                            null, at(800), audit("model.version.finish", subject(CHURN, 2)));
                    case "finishing READY with another digest" -> store.finishModelVersion(CHURN, 2,
                            VersionStatus.READY, artifact(modelDigest(CHURN, 1)), null, at(800),
                            audit("model.version.finish", subject(CHURN, 2)));
                    case "finishing a READY version" -> makeFailed(CHURN, 1);
                    case "approving twice" -> decide(CHURN, 1, ApprovalStatus.REJECTED, 800);
                    case "setting an alias with a stale expectation" -> setAlias(CHURN, PRODUCTION, 1, null, 800);
                    case "setting an alias with two events and a stale expectation" -> store.setAlias(CHURN,
                            PRODUCTION, 1, null, at(800), List.of(audit("promotion.decided", subject(CHURN, 1)),
                                    audit("model.alias.set", subject(CHURN))));
                    case "aliasing a PENDING version" -> setAlias(CHURN, PRODUCTION, 2, 1, 800);
                    case "aliasing a PENDING version with two events" -> store.setAlias(CHURN, PRODUCTION, 2, 1,
                            at(800), List.of(audit("promotion.decided", subject(CHURN, 2)),
                                    audit("model.alias.set", subject(CHURN))));
                    case "deleting an alias with a stale expectation" -> deleteAlias(CHURN, PRODUCTION, 2, 800);
                    case "deleting an unknown alias" -> deleteAlias(CHURN, "shadow", 1, 800);
                    case "deleting an aliased version" -> deleteVersion(CHURN, 1);
                    case "updating an unknown model" -> store.updateModel(FRAUD, update(800).build(),
                            audit("model.update", subject(FRAUD)));
                    case "updating an unknown version" -> store.updateModelVersion(CHURN, 3, update(800).build(),
                            audit("model.version.update", subject(CHURN, 3)));
                    default -> throw new IllegalArgumentException(mutation);
                }
            }).isInstanceOf(MlopsException.class);

            assertThat(store.auditHead()).contains(head);
            assertThat(registryState(List.of(runId(1), runId(2)), List.of())).isEqualTo(before);
        }

        @Test
        @DisplayName("every successful registry mutation appends exactly its pending event, sealed onto the head,"
                + " and the chain verifies")
        void oneEventPerMutation() {
            createRun(1);
            List<Runnable> steps = new ArrayList<>();
            Map<String, PendingAuditEvent> pending = new LinkedHashMap<>();
            for (String action : List.of("create", "update", "register", "register2", "ready", "update-version",
                    "approve", "alias", "move", "unalias", "fail", "delete")) {
                pending.put(action, audit("model." + action, subject(CHURN), "{\"step\":\"" + action + "\"}"));
            }
            steps.add(() -> store.createModel(newModel(CHURN), pending.get("create")));
            steps.add(() -> store.updateModel(CHURN, update(100).description("d").build(), pending.get("update")));
            steps.add(() -> store.createModelVersion(version(CHURN, 1).run(runId(1)).build(),
                    pending.get("register")));
            steps.add(() -> store.createModelVersion(newVersion(CHURN, 2), pending.get("register2")));
            steps.add(() -> store.finishModelVersion(CHURN, 1, VersionStatus.READY, artifact(modelDigest(CHURN, 1)),
                    null, at(101), pending.get("ready")));
            steps.add(() -> store.updateModelVersion(CHURN, 1, update(102).setTag("a", "b").build(),
                    pending.get("update-version")));
            steps.add(() -> store.decideApproval(CHURN, 1, decision(ApprovalStatus.APPROVED, "carol", 103),
                    pending.get("approve")));
            steps.add(() -> store.setAlias(CHURN, PRODUCTION, 1, null, at(104), pending.get("alias")));
            steps.add(() -> store.setAlias(CHURN, PRODUCTION, 1, 1, at(105), pending.get("move")));
            steps.add(() -> store.deleteAlias(CHURN, PRODUCTION, 1, at(106), pending.get("unalias")));
            steps.add(() -> store.finishModelVersion(CHURN, 2, VersionStatus.FAILED, null, "no bytes", at(107),
                    pending.get("fail")));
            steps.add(() -> store.deleteModelVersion(CHURN, 2, pending.get("delete")));

            List<PendingAuditEvent> expected = new ArrayList<>(pending.values());
            for (int i = 0; i < steps.size(); i++) {
                AuditEvent before = head();
                steps.get(i).run();
                assertAppended(before, expected.get(i));
            }
            List<AuditEvent> events = allAuditEvents(store);
            assertThat(events).hasSize(1 + steps.size());
            assertChainIntact(events);
        }

        @Test
        @DisplayName("appendAuditEvent appends exactly the event and changes nothing else")
        void appendAuditEvent() {
            createRun(1);
            createModel(CHURN);
            readyVersion(CHURN);
            List<Object> before = registryState(List.of(runId(1)), List.of());
            AuditEvent head = head();
            PendingAuditEvent denied = audit("access.denied", subject(CHURN, 1),
                    "{\"actor\":\"mallory\",\"permission\":\"MOVE_ALIAS\"}");

            store.appendAuditEvent(denied);

            assertAppended(head, denied);
            List<Object> after = registryState(List.of(runId(1)), List.of());
            List<AuditEvent> events = allAuditEvents(store);
            assertThat(after.subList(0, after.size() - 1)).isEqualTo(before.subList(0, before.size() - 1));
            @SuppressWarnings("unchecked")
            List<AuditEvent> eventsBefore = (List<AuditEvent>) before.get(before.size() - 1);
            assertThat(events.subList(0, events.size() - 1)).isEqualTo(eventsBefore);
            assertChainIntact(events);
            assertThat(store.getRun(runId(1)).map(Run::status)).contains(RunStatus.RUNNING);
        }
    }

    /** A pending {@code promotion.decided} event on {@code candidate} of {@code name} taking {@code alias}. */
    static PendingAuditEvent verdict(String name, String alias, int candidate, String outcome) {
        return audit("promotion.decided", subject(name, candidate), "{\"alias\":\"" + alias + "\",\"candidate\":"
                + candidate + ",\"model\":\"" + name + "\",\"outcome\":\"" + outcome + "\"}");
    }

    @Nested
    @DisplayName("registry: promotion verdicts, recorded once per (model, alias, candidate)")
    class PromotionVerdicts {

        private PendingAuditEvent moved(String name, String alias) {
            return audit("model_alias.move", "model:" + name + "@" + alias);
        }

        @Test
        @DisplayName("without a recorded verdict, a verdict alone is appended and empty returned; the next one on the"
                + " same candidate and alias appends nothing and returns the first, with or without a move, even"
                + " when the move's compare-and-set would succeed")
        void recordedOnce() {
            createModel(CHURN);
            readyVersion(CHURN);
            readyVersion(CHURN);
            setAlias(CHURN, PRODUCTION, 1, null, 700);
            AuditEvent before = head();
            PendingAuditEvent failed = verdict(CHURN, PRODUCTION, 2, "FAILED");

            assertThat(store.recordPromotionVerdict(CHURN, PRODUCTION, 2, false, null, at(800), List.of(failed)))
                    .isEmpty();
            assertAppended(before, failed);
            AuditEvent recorded = head();
            List<Object> state = registryState();

            assertThat(store.recordPromotionVerdict(CHURN, PRODUCTION, 2, false, null, at(801),
                    List.of(verdict(CHURN, PRODUCTION, 2, "FAILED")))).contains(recorded);
            assertThat(store.recordPromotionVerdict(CHURN, PRODUCTION, 2, true, 1, at(802),
                    List.of(verdict(CHURN, PRODUCTION, 2, "PROMOTED"), moved(CHURN, PRODUCTION))))
                    .contains(recorded);
            assertThat(registryState()).isEqualTo(state);
            assertThat(getModel(CHURN).aliases()).containsEntry(PRODUCTION, 1);
            assertChainIntact(allAuditEvents(store));
        }

        @Test
        @DisplayName("with a move and no recorded verdict, the alias moves and both events are appended in order, in"
                + " one transaction, as setAlias with a list does; the next call on the candidate returns that"
                + " verdict and moves nothing")
        void recordedWithTheMove() {
            createModel(CHURN);
            readyVersion(CHURN);
            readyVersion(CHURN);
            setAlias(CHURN, PRODUCTION, 1, null, 700);
            AuditEvent before = head();
            PendingAuditEvent promoted = verdict(CHURN, PRODUCTION, 2, "PROMOTED");
            PendingAuditEvent move = moved(CHURN, PRODUCTION);

            assertThat(store.recordPromotionVerdict(CHURN, PRODUCTION, 2, true, 1, at(800),
                    List.of(promoted, move))).isEmpty();

            assertThat(getModel(CHURN).aliases()).isEqualTo(Map.of(PRODUCTION, 2));
            assertThat(getModel(CHURN).updatedTime()).isEqualTo(at(800));
            assertThat(getVersion(CHURN, 2).aliases()).containsExactly(PRODUCTION);
            assertThat(getVersion(CHURN, 1).aliases()).isEmpty();
            AuditEvent first = dev.mlops.audit.AuditChain.seal(before, promoted);
            AuditEvent second = dev.mlops.audit.AuditChain.seal(first, move);
            assertThat(store.auditEvents(before.seq(), 10)).containsExactly(first, second);

            List<Object> state = registryState();
            assertThat(store.recordPromotionVerdict(CHURN, PRODUCTION, 2, false, null, at(801),
                    List.of(verdict(CHURN, PRODUCTION, 2, "CONFLICT")))).contains(first);
            assertThat(registryState()).isEqualTo(state);
        }

        @Test
        @DisplayName("a move whose compare-and-set fails, of a version that is not READY, or of an unknown version,"
                + " with no recorded verdict, is CONFLICT or NOT_FOUND as setAlias is; nothing is stored, and a"
                + " verdict alone can be recorded afterwards")
        void refusedMove() {
            createModel(CHURN);
            readyVersion(CHURN);
            readyVersion(CHURN);
            registerNext(CHURN);
            setAlias(CHURN, PRODUCTION, 2, null, 700);
            List<Object> state = registryState();

            assertThatThrownBy(() -> store.recordPromotionVerdict(CHURN, PRODUCTION, 1, true, 3, at(800),
                    List.of(verdict(CHURN, PRODUCTION, 1, "PROMOTED"), moved(CHURN, PRODUCTION))))
                    .isInstanceOf(ConflictException.class).hasMessageContaining(PRODUCTION);
            assertThatThrownBy(() -> store.recordPromotionVerdict(CHURN, PRODUCTION, 3, true, 2, at(800),
                    List.of(verdict(CHURN, PRODUCTION, 3, "PROMOTED"), moved(CHURN, PRODUCTION))))
                    .isInstanceOf(ConflictException.class);
            assertThatThrownBy(() -> store.recordPromotionVerdict(CHURN, PRODUCTION, 9, true, 2, at(800),
                    List.of(verdict(CHURN, PRODUCTION, 9, "PROMOTED"), moved(CHURN, PRODUCTION))))
                    .isInstanceOf(dev.mlops.NotFoundException.class);
            assertThat(registryState()).isEqualTo(state);

            AuditEvent before = head();
            PendingAuditEvent conflict = verdict(CHURN, PRODUCTION, 1, "CONFLICT");
            assertThat(store.recordPromotionVerdict(CHURN, PRODUCTION, 1, false, null, at(801), List.of(conflict)))
                    .isEmpty();
            assertAppended(before, conflict);
        }

        @Test
        @DisplayName("only a verdict on the same model, alias and candidate counts (not another alias, candidate,"
                + " model or action, nor one whose data was erased); one appended by appendAuditEvent counts, and of"
                + " several the latest is returned")
        void whatCounts() {
            createModel(CHURN);
            createModel(FRAUD);
            readyVersion(CHURN);
            readyVersion(CHURN);
            readyVersion(FRAUD);
            readyVersion(FRAUD);
            store.appendAuditEvent(verdict(CHURN, "staging", 2, "FAILED"));
            store.appendAuditEvent(verdict(CHURN, PRODUCTION, 1, "FAILED"));
            store.appendAuditEvent(verdict(FRAUD, PRODUCTION, 2, "FAILED"));
            store.appendAuditEvent(audit("promotion.reviewed", subject(CHURN, 2),
                    "{\"alias\":\"" + PRODUCTION + "\"}"));
            store.appendAuditEvent(verdict(CHURN, PRODUCTION, 2, "FAILED"));
            AuditEvent erased = head();
            store.eraseAuditData(erased.seq(), audit("audit.erase", "audit:" + erased.seq()));

            AuditEvent before = head();
            PendingAuditEvent first = verdict(CHURN, PRODUCTION, 2, "FAILED");
            assertThat(store.recordPromotionVerdict(CHURN, PRODUCTION, 2, false, null, at(800), List.of(first)))
                    .isEmpty();
            assertAppended(before, first);

            store.appendAuditEvent(verdict(CHURN, PRODUCTION, 2, "FAILED"));
            AuditEvent latest = head();
            List<Object> state = registryState();
            assertThat(store.recordPromotionVerdict(CHURN, PRODUCTION, 2, false, null, at(801),
                    List.of(verdict(CHURN, PRODUCTION, 2, "FAILED")))).contains(latest);
            assertThat(registryState()).isEqualTo(state);
            assertChainIntact(allAuditEvents(store));
        }

        @Test
        @DisplayName("no events, a null event, or a first event that is not the verdict on that candidate and alias"
                + " is INVALID_ARGUMENT (field audit); nothing is stored")
        void badEvents() {
            createModel(CHURN);
            readyVersion(CHURN);
            List<Object> state = registryState();
            List<List<PendingAuditEvent>> bad = new ArrayList<>();
            bad.add(List.of());
            bad.add(java.util.Arrays.asList(verdict(CHURN, PRODUCTION, 1, "FAILED"), null));
            bad.add(List.of(audit("model_alias.set", "model:" + CHURN + "@" + PRODUCTION)));
            bad.add(List.of(verdict(CHURN, "staging", 1, "FAILED")));
            bad.add(List.of(verdict(CHURN, PRODUCTION, 2, "FAILED")));
            bad.add(List.of(audit("promotion.decided", subject(CHURN, 1))));
            for (List<PendingAuditEvent> events : bad) {
                assertThatThrownBy(() -> store.recordPromotionVerdict(CHURN, PRODUCTION, 1, false, null, at(800),
                        events)).as("%s", events).isInstanceOf(InvalidArgumentException.class)
                        .satisfies(e -> assertThat(((InvalidArgumentException) e).field()).hasValue("audit"));
            }
            assertThat(registryState()).isEqualTo(state);
        }
    }

    @Nested
    @DisplayName("registry: after close()")
    class RegistryAfterClose {

        /** One call of every registry method, some with arguments a store might answer early. */
        private static final List<String> CALLS = List.of("createModel", "getModel", "searchModels",
                "searchModels with a malformed page token", "updateModel", "createModelVersion",
                "createModelVersion with a used idempotency key", "getModelVersion", "searchModelVersions",
                "finishModelVersion", "finishModelVersion as PENDING", "updateModelVersion", "decideApproval",
                "setAlias", "setAlias with two events", "deleteAlias", "deleteModelVersion", "appendAuditEvent",
                "recordPromotionVerdict", "recordPromotionVerdict with a move");

        @ParameterizedTest(name = "{0}")
        @MethodSource("dev.mlops.tck.ModelRegistryConsistencyKit#registryCallsAfterClose")
        @DisplayName("after close() every registry call fails with STORAGE")
        void closedStoreRefusesRegistryCalls(String call) {
            createModel(CHURN);
            register(version(CHURN, 1).idempotencyKey("k").build());
            makeReady(CHURN, 1);
            setAlias(CHURN, PRODUCTION, 1, null, 700);
            String description = store.describe();
            store.close();
            PendingAuditEvent pending = audit("after.close", subject(CHURN));

            Throwable thrown = catchThrowable(() -> {
                switch (call) {
                    case "createModel" -> store.createModel(newModel(FRAUD), pending);
                    case "getModel" -> store.getModel(CHURN);
                    case "searchModels" -> store.searchModels(ModelQuery.all(), PageRequest.first());
                    case "searchModels with a malformed page token" -> store.searchModels(ModelQuery.all(),
                            new PageRequest(10, "%%%"));
                    case "updateModel" -> store.updateModel(CHURN, update(800).build(), pending);
                    case "createModelVersion" -> store.createModelVersion(newVersion(CHURN, 2), pending);
                    case "createModelVersion with a used idempotency key" -> store.createModelVersion(
                            version(CHURN, 2).idempotencyKey("k").build(), pending);
                    case "getModelVersion" -> store.getModelVersion(CHURN, 1);
                    case "searchModelVersions" -> store.searchModelVersions(VersionQuery.all(), PageRequest.first());
                    case "finishModelVersion" -> store.finishModelVersion(CHURN, 1, VersionStatus.FAILED, null, "x",
                            at(800), pending);
                    case "finishModelVersion as PENDING" -> store.finishModelVersion(CHURN, 1, VersionStatus.PENDING,
                            null, null, at(800), pending);
                    case "updateModelVersion" -> store.updateModelVersion(CHURN, 1, update(800).build(), pending);
                    case "decideApproval" -> store.decideApproval(CHURN, 1,
                            decision(ApprovalStatus.APPROVED, "carol", 800), pending);
                    case "setAlias" -> store.setAlias(CHURN, PRODUCTION, 1, 1, at(800), pending);
                    case "setAlias with two events" -> store.setAlias(CHURN, PRODUCTION, 1, 1, at(800),
                            List.of(audit("promotion.decided", subject(CHURN, 1)), pending));
                    case "deleteAlias" -> store.deleteAlias(CHURN, PRODUCTION, 1, at(800), pending);
                    case "deleteModelVersion" -> store.deleteModelVersion(CHURN, 1, pending);
                    case "appendAuditEvent" -> store.appendAuditEvent(pending);
                    case "recordPromotionVerdict" -> store.recordPromotionVerdict(CHURN, PRODUCTION, 1, false, null,
                            at(800), List.of(verdict(CHURN, PRODUCTION, 1, "FAILED")));
                    case "recordPromotionVerdict with a move" -> store.recordPromotionVerdict(CHURN, PRODUCTION, 1,
                            true, 1, at(800), List.of(verdict(CHURN, PRODUCTION, 1, "PROMOTED"), pending));
                    default -> throw new IllegalArgumentException(call);
                }
            });

            assertThat(thrown).as("what %s threw after close()", call).isInstanceOf(StorageException.class);
            assertThat(((MlopsException) thrown).code()).isEqualTo(ErrorCode.STORAGE);
            assertThat(store.describe()).isEqualTo(description);
            store.close();
        }
    }
}
