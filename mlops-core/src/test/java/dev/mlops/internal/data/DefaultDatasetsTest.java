package dev.mlops.internal.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.Created;
import dev.mlops.InvalidArgumentException;
import dev.mlops.Page;
import dev.mlops.PageRequest;
import dev.mlops.audit.AuditEvent;
import dev.mlops.data.Column;
import dev.mlops.data.ColumnType;
import dev.mlops.data.DatasetVersion;
import dev.mlops.data.SchemaDiff;
import dev.mlops.internal.Context;
import dev.mlops.store.memory.InMemoryStore;
import dev.mlops.internal.artifact.InMemoryArtifactStore;
import dev.mlops.internal.json.CanonicalJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DefaultDatasetsTest {
    private static final Instant NOW = Instant.parse("2026-01-31T12:00:00Z");

    @TempDir
    Path dir;

    private InMemoryStore store;
    private DefaultDatasets datasets;
    private Path seattle;

    @BeforeEach
    void setUp() throws IOException {
        store = new InMemoryStore();
        Context context = new Context(store, new InMemoryArtifactStore(), Clock.fixed(NOW, ZoneOffset.UTC), "alice",
                Duration.ofSeconds(30), Duration.ofMinutes(5), 1000, dir, null);
        datasets = new DefaultDatasets(context);
        seattle = DatasetContentTest.copySeattle(dir.resolve("data/seattle-weather.csv"));
    }

    @Test
    void registersACsvFileWithDigestSchemaAndAudit() {
        Created<DatasetVersion> created = datasets.register("seattle", seattle, Map.of("split", "all"));
        assertThat(created.created()).isTrue();
        DatasetVersion v = created.value();
        assertThat(v.name()).isEqualTo("seattle");
        assertThat(v.version()).isEqualTo(DatasetContentTest.SEATTLE_SHA256);
        assertThat(v.format()).isEqualTo("csv");
        assertThat(v.rowCount()).isEqualTo(1461L);
        assertThat(v.schema()).isEqualTo(TabularInspectorTest.SEATTLE);
        assertThat(v.sizeBytes()).isEqualTo(48219L);
        assertThat(v.sourceUri()).isEqualTo(seattle.toAbsolutePath().toUri().toString()).startsWith("file:/");
        assertThat(v.tags()).isEqualTo(Map.of("split", "all"));
        assertThat(v.createdTime()).isEqualTo(NOW);
        assertThat(v.createdBy()).isEqualTo("alice");

        List<AuditEvent> events = store.auditEvents(0, 10_000);
        assertThat(events).hasSize(1);
        AuditEvent e = events.get(0);
        assertThat(e.action()).isEqualTo("dataset.register");
        assertThat(e.subject()).isEqualTo("dataset:seattle@" + DatasetContentTest.SEATTLE_SHA256);
        assertThat(e.actor()).isEqualTo("alice");
        assertThat(CanonicalJson.readObject(e.data())).containsOnlyKeys("name", "version", "format", "rows", "size")
                .containsEntry("name", "seattle")
                .containsEntry("version", DatasetContentTest.SEATTLE_SHA256)
                .containsEntry("format", "csv")
                .containsEntry("rows", 1461)
                .containsEntry("size", 48219);
    }

    @Test
    void sameBytesUnderTheSameNameAreTheSameVersion() throws IOException {
        DatasetVersion first = datasets.register("seattle", seattle).value();
        Path copy = Files.copy(seattle, dir.resolve("copy.csv"));
        Created<DatasetVersion> again = datasets.register("seattle", copy);
        assertThat(again.created()).isFalse();
        assertThat(again.value()).isEqualTo(first);
        assertThat(store.auditEvents(0, 10_000)).hasSize(1);
        Created<DatasetVersion> other = datasets.register("weather", copy);
        assertThat(other.created()).isTrue();
        assertThat(other.value().version()).isEqualTo(first.version());
    }

    @Test
    void registersDirectoriesAndBinaryFiles() throws IOException {
        Path ds = Files.createDirectories(dir.resolve("images"));
        Files.write(ds.resolve("1.png"), new byte[] {1, 2, 3});
        Files.write(ds.resolve("2.png"), new byte[] {4, 5});
        DatasetVersion v = datasets.register("images", ds).value();
        assertThat(v.format()).isEqualTo("directory");
        assertThat(v.sizeBytes()).isEqualTo(5);
        assertThat(v.version()).isEqualTo(DirectoryDigest.digest(ds).digest());
        assertThat(v.schema()).isNull();
        assertThat(v.rowCount()).isNull();
        DatasetVersion b = datasets.register("blob", ds.resolve("1.png")).value();
        assertThat(b.format()).isEqualTo("binary");
        assertThat(b.sizeBytes()).isEqualTo(3);
    }

    @Test
    void invalidArgumentsAreNamedAndNothingIsStored() throws IOException {
        assertThatThrownBy(() -> datasets.register("bad@name", seattle))
                .isInstanceOf(InvalidArgumentException.class)
                .satisfies(e -> assertThat(((InvalidArgumentException) e).field()).contains("name"));
        assertThatThrownBy(() -> datasets.register(" ", seattle)).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> datasets.register("x", null))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("path");
        Path missing = dir.resolve("missing.csv");
        assertThatThrownBy(() -> datasets.register("x", missing))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining(missing.toString());
        Path broken = Files.writeString(dir.resolve("broken.csv"), "a,b\n1,2\n\"open,3\n");
        assertThatThrownBy(() -> datasets.register("x", broken))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("broken.csv line 3");
        assertThatThrownBy(() -> datasets.register("x", seattle, Map.of("", "v")))
                .isInstanceOf(InvalidArgumentException.class);
        assertThat(store.listDatasets(null, PageRequest.first(10_000)).items()).isEmpty();
        assertThat(store.auditEvents(0, 10_000)).isEmpty();
    }

    @Test
    void getLatestAndListFollowThePages() throws IOException {
        List<DatasetVersion> registered = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Path f = Files.writeString(dir.resolve("v" + i + ".csv"), "x,y\n" + i + ",1\n");
            registered.add(datasets.register("grow", f).value());
        }
        datasets.register("other", seattle);
        assertThat(datasets.latest("grow")).contains(registered.get(4));
        assertThat(datasets.latest("absent")).isEmpty();
        assertThat(datasets.get("grow", registered.get(2).version())).contains(registered.get(2));
        assertThat(datasets.get("other", registered.get(2).version())).isEmpty();
        assertThatThrownBy(() -> datasets.get("grow", "sha256:abc"))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("version");

        List<DatasetVersion> listed = new ArrayList<>();
        PageRequest request = PageRequest.first(2);
        int pages = 0;
        while (true) {
            pages++;
            Page<DatasetVersion> page = datasets.list("grow", request);
            listed.addAll(page.items());
            if (page.nextPageToken() == null) {
                break;
            }
            request = request.next(page);
        }
        assertThat(listed).isEqualTo(registered);
        assertThat(pages).as("5 versions in pages of 2").isEqualTo(3);
        assertThat(datasets.list(null, PageRequest.first(100)).items()).hasSize(6);
    }

    @Test
    void diffReportsAddedRemovedAndRetypedColumns() throws IOException {
        Path older = Files.writeString(dir.resolve("old.csv"), "id,score,label\n1,0.5,a\n2,0.7,b\n");
        Path newer = Files.writeString(dir.resolve("new.csv"), "label,score,extra\n1,x,2020-01-01\n2,0.7,NA\n");
        DatasetVersion a = datasets.register("d", older).value();
        DatasetVersion b = datasets.register("d", newer).value();
        SchemaDiff diff = datasets.diff(a, b);
        assertThat(diff.added()).containsExactly(new Column("extra", ColumnType.DATETIME));
        assertThat(diff.removed()).containsExactly(new Column("id", ColumnType.NUMERIC));
        assertThat(diff.retyped()).containsExactly(
                new SchemaDiff.Retyped("label", ColumnType.CATEGORICAL, ColumnType.NUMERIC),
                new SchemaDiff.Retyped("score", ColumnType.NUMERIC, ColumnType.CATEGORICAL));
        assertThat(diff.isEmpty()).isFalse();
        assertThat(datasets.diff(a, a).isEmpty()).isTrue();
    }

    @Test
    void diffNeedsSchemas() throws IOException {
        DatasetVersion csv = datasets.register("d", seattle).value();
        DatasetVersion bin = datasets.register("b", Files.write(dir.resolve("x.bin"), new byte[] {1})).value();
        assertThatThrownBy(() -> datasets.diff(csv, bin))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("has no schema")
                .hasMessageContaining("binary");
        assertThatThrownBy(() -> datasets.diff(null, csv))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("older");
    }
}
