package dev.mlops.internal.lineage;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class OpenLineageNamingTest {

    @ParameterizedTest(name = "{0} -> {1} {2}")
    @CsvSource(delimiter = '|', value = {
            "file:/a/b.csv                                   | file                                    | /a/b.csv",
            "file:///a/b.csv                                 | file                                    | /a/b.csv",
            "file://localhost/a/b.csv                        | file                                    | /a/b.csv",
            "file://nas01/share/b.csv                        | file://nas01                            | /share/b.csv",
            "file:/data/with%20space/%C3%A9.csv              | file                                    | /data/with space/é.csv",
            "s3://lake/raw/b.parquet                         | s3://lake                               | raw/b.parquet",
            "S3A://lake/raw/                                 | s3a://lake                              | raw/",
            "gs://bucket/dir/file.json                       | gs://bucket                             | dir/file.json",
            "abfss://box@acct.dfs.core.windows.net/x/y.csv   | abfss://box@acct.dfs.core.windows.net   | x/y.csv",
            "hdfs://namenode:8020/warehouse/t                | hdfs://namenode:8020                    | /warehouse/t",
            "https://user:pw@data.example.com/sets/a.csv?k=v | https://data.example.com                | /sets/a.csv",
            "https://data.example.com                        | https://data.example.com                | /",
            "postgres://db:5432/sales.public.orders          | postgres://db:5432                      | /sales.public.orders",
            "custom:/some/path                               | custom                                  | /some/path"})
    @DisplayName("derives namespace and name from a source URI by the OpenLineage naming conventions")
    void locate(String uri, String namespace, String name) {
        assertThat(OpenLineageEvents.locate(uri)).contains(new OpenLineageEvents.Location(namespace, name));
    }

    @ParameterizedTest
    @ValueSource(strings = {"relative/path.csv", "urn:isbn:0451450523", "memory:", "s3://bucket", "s3://bucket/",
            "file:", "::bad::", "mailto:someone@example.com", " "})
    @DisplayName("gives no location for text that is not a URI with a path")
    void noLocation(String uri) {
        assertThat(OpenLineageEvents.locate(uri)).isEmpty();
    }

    @Test
    @DisplayName("keeps a UUID run id (in lower case) and derives a stable version 5 UUID from any other id")
    void runUuid() {
        assertThat(OpenLineageEvents.runUuid("0190A000-0000-7000-8000-00000000000A"))
                .isEqualTo("0190a000-0000-7000-8000-00000000000a");
        // expected values computed independently with Python: uuid.uuid5(uuid.NAMESPACE_URL, "mlops:run:" + id)
        assertThat(OpenLineageEvents.runUuid("legacy-run-42")).isEqualTo("da754735-a61d-52ca-aea9-ad8bf6205c1a");
        assertThat(OpenLineageEvents.runUuid("ünïcode run")).isEqualTo("e293743b-48b9-5165-b410-145609b06560");
        UUID derived = UUID.fromString(OpenLineageEvents.runUuid("1-2-3-4-5"));
        assertThat(derived.version()).isEqualTo(5);
        assertThat(derived.variant()).isEqualTo(2);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "https://github.com/acme/churn.git | https://github.com/acme/churn.git",
            "ssh://git@host:2222/acme/r.git    | ssh://git@host:2222/acme/r.git",
            "git@github.com:acme/churn.git     | ssh://git@github.com/acme/churn.git",
            "host.example:team/repo            | ssh://host.example/team/repo",
            "/srv/git/my repo                  | file:/srv/git/my%20repo"})
    @DisplayName("writes a git remote as a URI")
    void repositoryUri(String repository, String uri) {
        assertThat(OpenLineageEvents.repositoryUri(repository)).contains(uri);
    }

    @ParameterizedTest
    @ValueSource(strings = {"not a repo", "relative/dir", "https://bad host/x"})
    @DisplayName("gives up on a remote it cannot write as a URI")
    void noRepositoryUri(String repository) {
        assertThat(OpenLineageEvents.repositoryUri(repository)).isEqualTo(Optional.empty());
    }

    @Test
    @DisplayName("reads the library version for the producer URI")
    void version() {
        assertThat(OpenLineageEvents.libraryVersion()).isNotEqualTo("unknown").matches("[0-9][0-9A-Za-z.+-]*");
    }
}
