package dev.mlops.internal.lineage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Validates OpenLineage events against the official JSON Schema files copied into {@code src/test/resources/
 * openlineage} (see SOURCE.md there), without any network access: every {@code https://openlineage.io/spec/...}
 * URI is mapped to the local copy whose {@code $id} it is, and any other http(s) load fails the test. Format
 * assertions ({@code uuid}, {@code date-time}, {@code uri}) are switched on. Thread-safe.
 */
public final class OpenLineageSchemas {
    static final String CORE_ID = "https://openlineage.io/spec/2-0-2/OpenLineage.json";
    /** The facet files in the copy, by file name; each maps from its own {@code $id}. */
    static final List<String> FACET_FILES = List.of("BaseSubsetDatasetFacet", "CatalogDatasetFacet",
            "ColumnLineageDatasetFacet", "DataQualityAssertionsDatasetFacet", "DataQualityMetricsDatasetFacet",
            "DataQualityMetricsInputDatasetFacet", "DatasetTypeDatasetFacet", "DatasetVersionDatasetFacet",
            "DatasourceDatasetFacet", "DocumentationDatasetFacet", "DocumentationJobFacet",
            "EnvironmentVariablesRunFacet", "ErrorMessageRunFacet", "ExecutionParametersRunFacet",
            "ExternalQueryRunFacet", "ExtractionErrorRunFacet", "HierarchyDatasetFacet",
            "InputStatisticsInputDatasetFacet", "JobDependenciesRunFacet", "JobTypeJobFacet",
            "LifecycleStateChangeDatasetFacet", "LineageFacet", "NominalTimeRunFacet",
            "OutputStatisticsOutputDatasetFacet", "OwnershipDatasetFacet", "OwnershipJobFacet", "ParentRunFacet",
            "ProcessingEngineRunFacet", "SQLJobFacet", "SchemaDatasetFacet", "SourceCodeJobFacet",
            "SourceCodeLocationJobFacet", "StorageDatasetFacet", "SymlinksDatasetFacet", "TagsDatasetFacet",
            "TagsJobFacet", "TagsRunFacet", "TestRunFacet");

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Map<String, String> LOCAL = localCopies();
    private static final Map<String, JsonNode> DOCUMENTS = new ConcurrentHashMap<>();
    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012,
            b -> b.schemaMappers(m -> m.mappings(LOCAL))
                    .schemaLoaders(l -> l.add(iri -> {
                        String s = iri.toString();
                        if (s.startsWith("http:") || s.startsWith("https:")) {
                            throw new AssertionError("the schema validator tried to load " + s
                                    + " from the network; map it to a local copy");
                        }
                        return null;
                    })));
    private static final SchemaValidatorsConfig CONFIG =
            SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
    private static final Map<String, JsonSchema> SCHEMAS = new ConcurrentHashMap<>();

    private OpenLineageSchemas() {
    }

    /** The problems of {@code event} against the whole core schema (one of RunEvent, DatasetEvent, JobEvent). */
    public static Set<ValidationMessage> validateEvent(JsonNode event) {
        return schema(CORE_ID).validate(event);
    }

    /**
     * Every facet of a RunEvent (run, job, and every input's and output's facets, inputFacets and outputFacets),
     * keyed by {@code location/key}.
     */
    public static Map<String, JsonNode> facets(JsonNode event) {
        Map<String, JsonNode> all = new LinkedHashMap<>();
        addFacets(all, "run", event.path("run").path("facets"));
        addFacets(all, "job", event.path("job").path("facets"));
        for (String side : List.of("inputs", "outputs")) {
            JsonNode list = event.path(side);
            for (int i = 0; i < list.size(); i++) {
                addFacets(all, side + "[" + i + "]", list.get(i).path("facets"));
                addFacets(all, side + "[" + i + "].inputFacets", list.get(i).path("inputFacets"));
                addFacets(all, side + "[" + i + "].outputFacets", list.get(i).path("outputFacets"));
            }
        }
        return all;
    }

    private static void addFacets(Map<String, JsonNode> into, String where, JsonNode facets) {
        for (Map.Entry<String, JsonNode> e : facets.properties()) {
            into.put(where + "/" + e.getKey(), e.getValue());
        }
    }

    /**
     * The problems of a facet stored under {@code key}: it must name a definition of one of the facet files in its
     * {@code _schemaURL}, validate against that definition, and the file must define {@code key} as the property
     * that holds this definition (so the facet sits under its standard name).
     */
    public static List<String> validateFacet(String key, JsonNode facet) {
        List<String> problems = new ArrayList<>();
        String url = facet.path("_schemaURL").asText("");
        int hash = url.indexOf("#/$defs/");
        if (hash < 0 || !LOCAL.containsKey(url.substring(0, hash)) || url.startsWith(CORE_ID)) {
            problems.add(key + ": _schemaURL '" + url + "' names no facet schema file of the copy");
            return problems;
        }
        String file = url.substring(0, hash);
        String def = url.substring(hash + "#/$defs/".length());
        JsonNode property = document(file).path("properties").path(key);
        if (!property.path("$ref").asText().equals("#/$defs/" + def)) {
            problems.add(key + ": " + file + " does not define the facet property '" + key + "' as " + def);
        }
        for (ValidationMessage m : schema(url).validate(facet)) {
            problems.add(key + ": " + m.getMessage());
        }
        return problems;
    }

    private static JsonSchema schema(String uri) {
        return SCHEMAS.computeIfAbsent(uri, u -> FACTORY.getSchema(SchemaLocation.of(u), CONFIG));
    }

    private static JsonNode document(String id) {
        return DOCUMENTS.computeIfAbsent(id, i -> read(LOCAL.get(i).substring("classpath:".length())));
    }

    private static Map<String, String> localCopies() {
        Map<String, String> map = new LinkedHashMap<>();
        map.put(CORE_ID, "classpath:openlineage/OpenLineage.json");
        for (String name : FACET_FILES) {
            String resource = "openlineage/facets/" + name + ".json";
            String id = read(resource).path("$id").asText();
            if (!id.startsWith("https://openlineage.io/spec/facets/") || !id.endsWith("/" + name + ".json")) {
                throw new IllegalStateException(resource + " has an unexpected $id: " + id);
            }
            map.put(id, "classpath:" + resource);
        }
        if (!read("openlineage/OpenLineage.json").path("$id").asText().equals(CORE_ID)) {
            throw new IllegalStateException("openlineage/OpenLineage.json is not spec 2-0-2");
        }
        return Map.copyOf(map);
    }

    private static JsonNode read(String resource) {
        try (InputStream in = OpenLineageSchemas.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + resource);
            }
            return MAPPER.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
