package dev.mlops.internal.lineage;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.InvalidArgumentException;
import dev.mlops.NotFoundException;
import dev.mlops.Page;
import dev.mlops.PageRequest;
import dev.mlops.StorageException;
import dev.mlops.data.Column;
import dev.mlops.data.DatasetVersion;
import dev.mlops.internal.Validate;
import dev.mlops.lineage.LineageQuery;
import dev.mlops.lineage.NodeRef;
import dev.mlops.spi.MetadataStore;
import dev.mlops.tracking.CodeVersion;
import dev.mlops.tracking.Run;
import dev.mlops.tracking.RunLink;
import dev.mlops.tracking.RunQuery;
import dev.mlops.tracking.RunStatus;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Turns stored runs into OpenLineage 2-0-2 RunEvents, built as JSON trees with Jackson (no OpenLineage client
 * library). The mapping is documented in {@code docs/lineage.md}; in short:
 * <ul>
 *   <li>a START event at the start time, and once the run ended a COMPLETE, FAIL or ABORT event at the end time
 *       (a run stored as RUNNING gets only its START event);</li>
 *   <li>{@code run.runId} is the run id when it is a UUID, otherwise the name-based (version 5) UUID of
 *       {@code "mlops:run:" + id} in the RFC 4122 URL namespace;</li>
 *   <li>{@code job} is the configured namespace and the job name;</li>
 *   <li>inputs and outputs are the run's links: a dataset version under the namespace and name derived from its
 *       source URI (OpenLineage naming conventions), with {@code schema}, {@code version} and {@code symlinks}
 *       facets; artifacts and model versions under the configured namespace as {@code artifact:NAME} and
 *       {@code model:NAME}, with a {@code version} facet.</li>
 * </ul>
 * Each event is one line of compact JSON with its members in a fixed order, so the same store state gives the same
 * bytes. Thread-safe: it holds no mutable state.
 */
final class OpenLineageEvents {
    static final String DEFAULT_NAMESPACE = "mlops";
    static final String EVENT_SCHEMA_URL = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent";
    static final String PRODUCER_BASE = "https://github.com/mlops-jvm/mlops/tree/";

    /** The facet schema files (their {@code $id}s) and definitions, as named by each facet's {@code _schemaURL}. */
    static final String SCHEMA_FACET =
            "https://openlineage.io/spec/facets/1-2-0/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet";
    static final String VERSION_FACET =
            "https://openlineage.io/spec/facets/1-0-1/DatasetVersionDatasetFacet.json#/$defs/DatasetVersionDatasetFacet";
    static final String SYMLINKS_FACET =
            "https://openlineage.io/spec/facets/1-0-1/SymlinksDatasetFacet.json#/$defs/SymlinksDatasetFacet";
    static final String PARENT_FACET =
            "https://openlineage.io/spec/facets/1-2-0/ParentRunFacet.json#/$defs/ParentRunFacet";
    static final String ERROR_FACET =
            "https://openlineage.io/spec/facets/1-0-1/ErrorMessageRunFacet.json#/$defs/ErrorMessageRunFacet";
    static final String SOURCE_CODE_FACET =
            "https://openlineage.io/spec/facets/1-1-0/SourceCodeLocationJobFacet.json#/$defs/SourceCodeLocationJobFacet";
    static final String JOB_TYPE_FACET =
            "https://openlineage.io/spec/facets/2-0-4/JobTypeJobFacet.json#/$defs/JobTypeJobFacet";

    /** The RFC 4122 name space for URLs, the name space of derived run UUIDs. */
    private static final UUID URL_NAMESPACE = UUID.fromString("6ba7b811-9dad-11d1-80b4-00c04fd430c8");
    private static final Pattern UUID_TEXT =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    /** {@code [user@]host:path}, the scp-like form git accepts for SSH remotes. */
    private static final Pattern SCP_LIKE = Pattern.compile("(?:([^@/:\\s]+)@)?([^@/:\\s]+):(?!//)(.+)");
    private static final Set<String> BUCKET_SCHEMES =
            Set.of("s3", "s3a", "s3n", "gs", "gcs", "abfs", "abfss", "wasb", "wasbs", "oss");
    private static final Set<String> AZURE_SCHEMES = Set.of("abfs", "abfss", "wasb", "wasbs");
    private static final int PAGE_SIZE = 200;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final MetadataStore store;
    private final String namespace;
    private final String producer;

    OpenLineageEvents(MetadataStore store, String namespace) {
        this.store = Objects.requireNonNull(store, "store");
        this.namespace = Validate.text("namespace", namespace, Validate.MAX_NAME);
        if (namespace.isBlank()) {
            throw new InvalidArgumentException("namespace", "namespace must not be blank");
        }
        this.producer = PRODUCER_BASE + libraryVersion();
    }

    /** The events of one run, as JSON texts. */
    List<String> eventsOf(String runId) {
        Validate.text("runId", runId, Validate.MAX_NAME);
        Run run = store.getRun(runId).orElseThrow(() -> new NotFoundException("run '" + runId + "' not found"));
        return events(run).stream().map(OpenLineageEvents::write).toList();
    }

    /** Writes the events of every run as JSON Lines (UTF-8, LF); the stream is flushed, not closed. */
    long exportAll(OutputStream out) {
        Writer writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
        long count = 0;
        PageRequest request = PageRequest.first(PAGE_SIZE);
        Set<String> seenTokens = new HashSet<>();
        try {
            while (true) {
                Page<Run> page = store.searchRuns(RunQuery.all(), request);
                for (Run run : page.items()) {
                    for (ObjectNode event : events(run)) {
                        writer.write(write(event));
                        writer.write('\n');
                        count++;
                    }
                }
                Optional<String> next = page.next();
                if (next.isEmpty()) {
                    break;
                }
                if (!seenTokens.add(next.get())) {
                    throw new StorageException("the store " + store.describe()
                            + " returned the same page token twice while listing runs", null);
                }
                request = request.next(page);
            }
            writer.flush();
        } catch (IOException e) {
            throw new StorageException("writing the OpenLineage export failed after " + count + " events: "
                    + e.getMessage(), e);
        }
        return count;
    }

    // ---- events -------------------------------------------------------------------------------------------------

    /** START, then the end event once the run ended; the store is read once per run, not once per event. */
    List<ObjectNode> events(Run run) {
        ObjectNode parent = parentFacet(run).orElse(null);
        ObjectNode job = job(run);
        ArrayNode inputs = MAPPER.createArrayNode();
        ArrayNode outputs = MAPPER.createArrayNode();
        for (RunLink link : run.links()) {
            dataset(link.node()).ifPresent(d -> (link.role() == RunLink.Role.INPUT ? inputs : outputs).add(d));
        }
        List<ObjectNode> events = new ArrayList<>(2);
        events.add(event(run, "START", run.startTime(), parent, null, job, inputs, outputs));
        String end = switch (run.status()) {
            case RUNNING -> null;
            case COMPLETED -> "COMPLETE";
            case FAILED -> "FAIL";
            case ABORTED -> "ABORT";
        };
        if (end != null) {
            ObjectNode error = null;
            if (run.status() != RunStatus.COMPLETED && run.error() != null && !run.error().isEmpty()) {
                error = facet(ERROR_FACET);
                error.put("message", run.error());
                error.put("programmingLanguage", "JAVA");
            }
            // An ended run always has an end time; fall back to the last heartbeat for a store that lost it.
            Instant at = run.endTime() != null ? run.endTime() : run.lastHeartbeat();
            events.add(event(run, end, at, parent, error, job, inputs, outputs));
        }
        return events;
    }

    private ObjectNode event(Run run, String eventType, Instant eventTime, ObjectNode parent, ObjectNode error,
            ObjectNode job, ArrayNode inputs, ArrayNode outputs) {
        ObjectNode event = MAPPER.createObjectNode();
        event.put("eventType", eventType);
        event.put("eventTime", eventTime.toString());
        ObjectNode runNode = event.putObject("run");
        runNode.put("runId", runUuid(run.id()));
        if (parent != null || error != null) {
            ObjectNode runFacets = runNode.putObject("facets");
            if (parent != null) {
                runFacets.set("parent", parent.deepCopy());
            }
            if (error != null) {
                runFacets.set("errorMessage", error);
            }
        }
        event.set("job", job.deepCopy());
        event.set("inputs", inputs.deepCopy());
        event.set("outputs", outputs.deepCopy());
        event.put("producer", producer);
        event.put("schemaURL", EVENT_SCHEMA_URL);
        return event;
    }

    private ObjectNode job(Run run) {
        ObjectNode job = MAPPER.createObjectNode();
        job.put("namespace", namespace);
        job.put("name", run.jobName());
        ObjectNode jobFacets = job.putObject("facets");
        ObjectNode jobType = facet(JOB_TYPE_FACET);
        jobType.put("processingType", "BATCH");
        jobType.put("integration", "MLOPS");
        jobType.put("jobType", "JOB");
        jobFacets.set("jobType", jobType);
        sourceCodeFacet(run.codeVersion()).ifPresent(f -> jobFacets.set("sourceCodeLocation", f));
        return job;
    }

    /** The parent facet, with the topmost ancestor found as {@code root}; empty when the parent is not stored. */
    private Optional<ObjectNode> parentFacet(Run run) {
        if (run.parentRunId() == null) {
            return Optional.empty();
        }
        Optional<Run> parent = store.getRun(run.parentRunId());
        if (parent.isEmpty()) {
            return Optional.empty();
        }
        Run root = parent.get();
        Set<String> seen = new HashSet<>(List.of(run.id(), root.id()));
        while (root.parentRunId() != null && seen.size() <= LineageQuery.MAX_DEPTH
                && seen.add(root.parentRunId())) {
            Optional<Run> up = store.getRun(root.parentRunId());
            if (up.isEmpty()) {
                break;
            }
            root = up.get();
        }
        ObjectNode facet = facet(PARENT_FACET);
        facet.set("run", runRef(parent.get()));
        facet.set("job", jobRef(parent.get()));
        ObjectNode rootNode = facet.putObject("root");
        rootNode.set("run", runRef(root));
        rootNode.set("job", jobRef(root));
        return Optional.of(facet);
    }

    private ObjectNode runRef(Run run) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("runId", runUuid(run.id()));
        return node;
    }

    private ObjectNode jobRef(Run run) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("namespace", namespace);
        node.put("name", run.jobName());
        return node;
    }

    /** The source code location, when the code version names a repository that can be written as a URI. */
    private Optional<ObjectNode> sourceCodeFacet(CodeVersion code) {
        if (code == null || code.repository() == null || code.repository().isBlank()) {
            return Optional.empty();
        }
        Optional<String> url = repositoryUri(code.repository());
        if (url.isEmpty()) {
            return Optional.empty();
        }
        ObjectNode facet = facet(SOURCE_CODE_FACET);
        facet.put("type", "git");
        facet.put("url", url.get());
        facet.put("repoUrl", code.repository());
        if (code.commit() != null) {
            facet.put("version", code.commit());
        }
        if (code.branch() != null) {
            facet.put("branch", code.branch());
        }
        return Optional.of(facet);
    }

    /** The dataset entry of a linked node; empty for a run node (runs are not datasets). */
    private Optional<ObjectNode> dataset(NodeRef node) {
        ObjectNode dataset = MAPPER.createObjectNode();
        ObjectNode facets = MAPPER.createObjectNode();
        switch (node.kind()) {
            case DATASET -> {
                Optional<DatasetVersion> stored = store.getDataset(node.name(), node.version());
                Optional<Location> location = stored.flatMap(d -> locate(d.sourceUri()));
                if (location.isPresent()) {
                    dataset.put("namespace", location.get().namespace());
                    dataset.put("name", location.get().name());
                } else {
                    dataset.put("namespace", namespace);
                    dataset.put("name", "dataset:" + node.name());
                }
                if (stored.isPresent() && stored.get().schema() != null) {
                    ObjectNode schema = facet(SCHEMA_FACET);
                    ArrayNode fields = schema.putArray("fields");
                    for (Column column : stored.get().schema().columns()) {
                        fields.addObject().put("name", column.name()).put("type", column.type().name());
                    }
                    facets.set("schema", schema);
                }
                facets.set("version", versionFacet(node.version()));
                if (location.isPresent()) {
                    ObjectNode symlinks = facet(SYMLINKS_FACET);
                    symlinks.putArray("identifiers").addObject()
                            .put("namespace", namespace)
                            .put("name", "dataset:" + node.name())
                            .put("type", "DATASET");
                    facets.set("symlinks", symlinks);
                }
            }
            case ARTIFACT, MODEL -> {
                dataset.put("namespace", namespace);
                dataset.put("name", node.kind().prefix() + ":" + node.name());
                facets.set("version", versionFacet(node.version()));
            }
            case RUN -> {
                return Optional.empty();
            }
        }
        dataset.set("facets", facets);
        return Optional.of(dataset);
    }

    private ObjectNode versionFacet(String version) {
        ObjectNode facet = facet(VERSION_FACET);
        facet.put("datasetVersion", version);
        return facet;
    }

    private ObjectNode facet(String schemaUrl) {
        ObjectNode facet = MAPPER.createObjectNode();
        facet.put("_producer", producer);
        facet.put("_schemaURL", schemaUrl);
        return facet;
    }

    private static String write(ObjectNode event) {
        try {
            return MAPPER.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree could not be written", e);
        }
    }

    // ---- identifiers --------------------------------------------------------------------------------------------

    /**
     * The OpenLineage run id of a run: the run id itself (lower case) when it is a UUID, otherwise the version 5
     * (SHA-1, name-based) UUID of {@code "mlops:run:" + runId} (UTF-8) in the RFC 4122 URL name space, so the same
     * run always gets the same UUID.
     */
    static String runUuid(String runId) {
        if (UUID_TEXT.matcher(runId).matches()) {
            return runId.toLowerCase(Locale.ROOT);
        }
        return nameUuidV5(URL_NAMESPACE, "mlops:run:" + runId).toString();
    }

    /** RFC 4122 section 4.3, version 5. */
    static UUID nameUuidV5(UUID namespace, String name) {
        MessageDigest sha1;
        try {
            sha1 = MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-1", e);
        }
        ByteBuffer ns = ByteBuffer.allocate(16);
        ns.putLong(namespace.getMostSignificantBits()).putLong(namespace.getLeastSignificantBits());
        sha1.update(ns.array());
        byte[] hash = sha1.digest(name.getBytes(StandardCharsets.UTF_8));
        hash[6] = (byte) ((hash[6] & 0x0f) | 0x50);
        hash[8] = (byte) ((hash[8] & 0x3f) | 0x80);
        ByteBuffer b = ByteBuffer.wrap(hash, 0, 16);
        return new UUID(b.getLong(), b.getLong());
    }

    /** An OpenLineage dataset identity. */
    record Location(String namespace, String name) {
    }

    /**
     * The OpenLineage dataset namespace and name of a source URI, following the OpenLineage naming conventions
     * (namespace {@code scheme://authority}, name the path):
     * <ul>
     *   <li>{@code file:/a/b.csv}, {@code file:///a/b.csv}, {@code file://localhost/a/b.csv}: namespace
     *       {@code file}, name {@code /a/b.csv}; {@code file://host/a/b.csv}: namespace {@code file://host};</li>
     *   <li>object stores ({@code s3}, {@code s3a}, {@code s3n}, {@code gs}, {@code gcs}, {@code abfs},
     *       {@code abfss}, {@code wasb}, {@code wasbs}, {@code oss}): namespace {@code scheme://bucket}, name the
     *       key (the path without its leading {@code /});</li>
     *   <li>any other URI with an authority: namespace {@code scheme://authority}, name the path ({@code /} when
     *       empty);</li>
     *   <li>a URI with a path but no authority: namespace the scheme, name the path.</li>
     * </ul>
     * Schemes are written in lower case; user info is left out of the authority (it may hold credentials), except
     * the {@code container@account} of the Azure schemes. Paths are decoded ({@code %20} becomes a space); query
     * and fragment are left out. Empty for text that is not
     * an absolute URI, an opaque URI ({@code urn:x}) or a URI without a path.
     */
    static Optional<Location> locate(String sourceUri) {
        if (sourceUri == null || sourceUri.isBlank()) {
            return Optional.empty();
        }
        URI uri;
        try {
            uri = new URI(sourceUri.strip());
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
        if (!uri.isAbsolute() || uri.isOpaque()) {
            return Optional.empty();
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        String path = uri.getPath() == null ? "" : uri.getPath();
        String host = uri.getHost();
        String authority = uri.getRawAuthority() == null ? null : stripUserInfo(uri);
        if (scheme.equals("file")) {
            if (path.isEmpty()) {
                return Optional.empty();
            }
            boolean local = authority == null || authority.isEmpty() || "localhost".equalsIgnoreCase(host);
            return Optional.of(new Location(local ? "file" : "file://" + authority, path));
        }
        if (authority == null || authority.isEmpty()) {
            return path.isEmpty() ? Optional.empty() : Optional.of(new Location(scheme, path));
        }
        if (BUCKET_SCHEMES.contains(scheme)) {
            String key = path.startsWith("/") ? path.substring(1) : path;
            return key.isEmpty() ? Optional.empty() : Optional.of(new Location(scheme + "://" + authority, key));
        }
        return Optional.of(new Location(scheme + "://" + authority, path.isEmpty() ? "/" : path));
    }

    /**
     * The authority without user info (which may hold credentials), except for the Azure schemes, where
     * {@code container@account} names a container.
     */
    private static String stripUserInfo(URI uri) {
        String authority = uri.getRawAuthority();
        int at = authority.lastIndexOf('@');
        if (at < 0) {
            return authority;
        }
        boolean azure = AZURE_SCHEMES.contains(uri.getScheme().toLowerCase(Locale.ROOT));
        return azure && authority.substring(0, at).indexOf(':') < 0 ? authority : authority.substring(at + 1);
    }

    /**
     * A repository location as a URI: an absolute URI as it is, the scp-like {@code git@host:org/repo.git} as
     * {@code ssh://git@host/org/repo.git}, an absolute local path as a {@code file:} URI; empty otherwise.
     */
    static Optional<String> repositoryUri(String repository) {
        String text = repository.strip();
        if (text.contains("://")) {
            try {
                URI uri = new URI(text);
                return uri.isAbsolute() ? Optional.of(uri.toString()) : Optional.empty();
            } catch (URISyntaxException e) {
                return Optional.empty();
            }
        }
        if (text.startsWith("/")) {
            try {
                return Optional.of(new URI("file", null, text, null).toString());
            } catch (URISyntaxException e) {
                return Optional.empty();
            }
        }
        var scp = SCP_LIKE.matcher(text);
        if (scp.matches()) {
            String user = scp.group(1);
            String path = scp.group(3).startsWith("/") ? scp.group(3) : "/" + scp.group(3);
            try {
                return Optional.of(new URI("ssh", user, scp.group(2), -1, path, null, null).toString());
            } catch (URISyntaxException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    /** The library version from {@code dev/mlops/version.properties}, or {@code unknown}. */
    static String libraryVersion() {
        try (InputStream in = OpenLineageEvents.class.getResourceAsStream("/dev/mlops/version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            String version = p.getProperty("version", "").strip();
            return version.matches("[0-9A-Za-z][0-9A-Za-z._+-]*") ? version : "unknown";
        } catch (IOException e) {
            return "unknown";
        }
    }
}
