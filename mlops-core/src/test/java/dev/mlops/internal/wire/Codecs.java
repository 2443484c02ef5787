package dev.mlops.internal.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.mlops.Created;
import dev.mlops.Page;
import dev.mlops.PageRequest;
import dev.mlops.artifact.ArtifactRef;
import dev.mlops.audit.AuditCheckpoint;
import dev.mlops.audit.AuditEvent;
import dev.mlops.data.Column;
import dev.mlops.data.DatasetSchema;
import dev.mlops.data.DatasetVersion;
import dev.mlops.drift.ProfileQuery;
import dev.mlops.drift.ReportKind;
import dev.mlops.lineage.Direction;
import dev.mlops.lineage.LineageEdge;
import dev.mlops.lineage.NodeRef;
import dev.mlops.registry.AliasChange;
import dev.mlops.registry.Approval;
import dev.mlops.registry.Governance;
import dev.mlops.registry.ModelQuery;
import dev.mlops.registry.ModelSignature;
import dev.mlops.registry.ModelUpdate;
import dev.mlops.registry.ModelVersion;
import dev.mlops.registry.NewModel;
import dev.mlops.registry.NewModelVersion;
import dev.mlops.registry.RegisteredModel;
import dev.mlops.registry.VersionQuery;
import dev.mlops.registry.VersionStatus;
import dev.mlops.spi.DriftReportEntry;
import dev.mlops.spi.PendingAuditEvent;
import dev.mlops.spi.PolicyDecisionEntry;
import dev.mlops.spi.PolicyStateEntry;
import dev.mlops.spi.ProfileEntry;
import dev.mlops.spi.RetrainingRequestEntry;
import dev.mlops.tracking.CodeVersion;
import dev.mlops.tracking.MetricFilter;
import dev.mlops.tracking.MetricPoint;
import dev.mlops.tracking.NewRun;
import dev.mlops.tracking.Run;
import dev.mlops.tracking.RunLink;
import dev.mlops.tracking.RunQuery;
import dev.mlops.tracking.RunStatus;
import java.util.List;
import java.util.function.Function;

/** The table of codecs under test: for each type, a generator of random instances, its writer and its reader. */
final class Codecs {
    private Codecs() {
    }

    record Codec<T>(Class<?> type, Function<WireGen, T> generate, Function<T, ? extends JsonNode> write,
            Wire.Reader<T> read) {
        @Override
        public String toString() {
            return type.getSimpleName();
        }
    }

    static <T> Codec<T> codec(Class<?> type, Function<WireGen, T> generate, Function<T, ? extends JsonNode> write,
            Wire.Reader<T> read) {
        return new Codec<>(type, generate, write, read);
    }

    /** Every codec, the generic ones ({@link Page}, {@link Created}) with concrete item types. */
    static final List<Codec<?>> ALL = List.of(
            codec(Page.class, WireGen::page, p -> PageWire.write(p, TextNode::valueOf),
                    (n, p) -> PageWire.read(n, p, Wire::readString)),
            codec(PageRequest.class, WireGen::pageRequest, PageWire::write, PageWire::readRequest),
            codec(Created.class, g -> new Created<>(g.run(), g.random.nextBoolean()),
                    c -> CreatedWire.write(c, RunWire::write), (n, p) -> CreatedWire.read(n, p, RunWire::readRun)),
            codec(PendingAuditEvent.class, WireGen::pendingAuditEvent, AuditWire::write, AuditWire::readPending),
            codec(AuditEvent.class, WireGen::auditEvent, AuditWire::write, AuditWire::readEvent),
            codec(AuditCheckpoint.class, WireGen::auditCheckpoint, AuditWire::write, AuditWire::readCheckpoint),
            codec(NodeRef.class, WireGen::node, LineageWire::write, LineageWire::readNode),
            codec(LineageEdge.class, WireGen::edge, LineageWire::write, LineageWire::readEdge),
            codec(Direction.class, WireGen::direction, LineageWire::write, LineageWire::readDirection),
            codec(NewRun.class, WireGen::newRun, RunWire::write, RunWire::readNewRun),
            codec(Run.class, WireGen::run, RunWire::write, RunWire::readRun),
            codec(MetricPoint.class, WireGen::metricPoint, RunWire::write, RunWire::readMetricPoint),
            codec(RunLink.class, WireGen::link, RunWire::write, RunWire::readLink),
            codec(CodeVersion.class, WireGen::codeVersion, RunWire::write, RunWire::readCodeVersion),
            codec(RunQuery.class, WireGen::runQuery, RunWire::write, RunWire::readQuery),
            codec(MetricFilter.class, WireGen::metricFilter, RunWire::write, RunWire::readMetricFilter),
            codec(RunStatus.class, WireGen::runStatus, RunWire::write, RunWire::readStatus),
            codec(DatasetVersion.class, WireGen::datasetVersion, DatasetWire::write, DatasetWire::read),
            codec(DatasetSchema.class, WireGen::schema, DatasetWire::write, DatasetWire::readSchema),
            codec(Column.class, WireGen::column, DatasetWire::write, DatasetWire::readColumn),
            codec(Governance.class, WireGen::governance, RegistryWire::write, RegistryWire::readGovernance),
            codec(NewModel.class, WireGen::newModel, RegistryWire::write, RegistryWire::readNewModel),
            codec(RegisteredModel.class, WireGen::registeredModel, RegistryWire::write, RegistryWire::readModel),
            codec(ModelUpdate.class, WireGen::modelUpdate, RegistryWire::write, RegistryWire::readUpdate),
            codec(ModelQuery.class, WireGen::modelQuery, RegistryWire::write, RegistryWire::readModelQuery),
            codec(ModelSignature.class, WireGen::signature, RegistryWire::write, RegistryWire::readSignature),
            codec(NewModelVersion.class, WireGen::newModelVersion, RegistryWire::write, RegistryWire::readNewVersion),
            codec(ModelVersion.class, WireGen::modelVersion, RegistryWire::write, RegistryWire::readVersion),
            codec(Approval.class, WireGen::approval, RegistryWire::write, RegistryWire::readApproval),
            codec(AliasChange.class, WireGen::aliasChange, RegistryWire::write, RegistryWire::readAliasChange),
            codec(ArtifactRef.class, WireGen::artifact, RegistryWire::write, RegistryWire::readArtifact),
            codec(VersionQuery.class, WireGen::versionQuery, RegistryWire::write, RegistryWire::readVersionQuery),
            codec(VersionStatus.class, WireGen::versionStatus, RegistryWire::write, RegistryWire::readVersionStatus),
            codec(ProfileEntry.class, WireGen::profileEntry, ProfileWire::write, ProfileWire::readProfile),
            codec(DriftReportEntry.class, WireGen::driftReportEntry, ProfileWire::write, ProfileWire::readDriftReport),
            codec(ProfileQuery.class, WireGen::profileQuery, ProfileWire::write, ProfileWire::readQuery),
            codec(ReportKind.class, g -> g.pick(ReportKind.values()), ProfileWire::write, ProfileWire::readKind),
            codec(PolicyStateEntry.class, WireGen::policyState, PolicyWire::write, PolicyWire::readState),
            codec(PolicyDecisionEntry.class, WireGen::policyDecision, PolicyWire::write, PolicyWire::readDecision),
            codec(RetrainingRequestEntry.class, WireGen::retrainingRequest, PolicyWire::write,
                    PolicyWire::readRequest));
}
