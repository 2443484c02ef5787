package dev.mlops.internal.wire;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlops.Created;
import dev.mlops.MlopsException;
import dev.mlops.Page;
import java.util.function.Function;
import java.util.stream.LongStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every codec reads back exactly what it wrote, through bytes, for seeded random instances (see {@link WireGen}):
 * the domain value is equal (doubles compared bit for bit by the records' equals), and writing it again gives the
 * same tree.
 */
@DisplayName("Round trips through the wire format are exact")
class RoundTripTest {

    static LongStream seeds() {
        return LongStream.range(0, 300);
    }

    /** Writes, serialises, parses, reads; checks equality both ways and returns the value read. */
    static <T> T roundTrip(T value, Function<T, ? extends JsonNode> write, Wire.Reader<T> read) {
        JsonNode written = write.apply(value);
        byte[] bytes = Wire.toBytes(written);
        T back = read.read(Wire.parse(bytes), "");
        assertThat(back).isEqualTo(value);
        assertThat((JsonNode) write.apply(back)).isEqualTo(written);
        return back;
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void errors(long seed) {
        MlopsException e = new WireGen(seed).exception();
        MlopsException back = ErrorWire.read(Wire.parse(Wire.toBytes(ErrorWire.write(e))), "");
        assertThat(back).hasSameClassAs(e);
        assertThat(back.code()).isEqualTo(e.code());
        assertThat(back.getMessage()).isEqualTo(e.getMessage());
        assertThat(back.field()).isEqualTo(e.field());
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void pages(long seed) {
        WireGen g = new WireGen(seed);
        roundTrip(g.page(), p -> PageWire.write(p, Wire.mapper().getNodeFactory()::textNode),
                (n, p) -> PageWire.read(n, p, Wire::readString));
        roundTrip(g.pageRequest(), PageWire::write, PageWire::readRequest);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void created(long seed) {
        WireGen g = new WireGen(seed);
        Created<Page<String>> created = new Created<>(g.page(), g.random.nextBoolean());
        roundTrip(created,
                c -> CreatedWire.write(c, p -> PageWire.write(p, Wire.mapper().getNodeFactory()::textNode)),
                (n, p) -> CreatedWire.read(n, p, (n2, p2) -> PageWire.read(n2, p2, Wire::readString)));
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void audit(long seed) {
        WireGen g = new WireGen(seed);
        roundTrip(g.pendingAuditEvent(), AuditWire::write, AuditWire::readPending);
        roundTrip(g.auditEvent(), AuditWire::write, AuditWire::readEvent);
        roundTrip(g.auditCheckpoint(), AuditWire::write, AuditWire::readCheckpoint);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void lineage(long seed) {
        WireGen g = new WireGen(seed);
        roundTrip(g.node(), LineageWire::write, LineageWire::readNode);
        roundTrip(g.edge(), LineageWire::write, LineageWire::readEdge);
        roundTrip(g.direction(), LineageWire::write, LineageWire::readDirection);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void runs(long seed) {
        WireGen g = new WireGen(seed);
        roundTrip(g.newRun(), RunWire::write, RunWire::readNewRun);
        roundTrip(g.run(), RunWire::write, RunWire::readRun);
        roundTrip(g.metricPoint(), RunWire::write, RunWire::readMetricPoint);
        roundTrip(g.link(), RunWire::write, RunWire::readLink);
        roundTrip(g.codeVersion(), RunWire::write, RunWire::readCodeVersion);
        roundTrip(g.runQuery(), RunWire::write, RunWire::readQuery);
        roundTrip(g.metricFilter(), RunWire::write, RunWire::readMetricFilter);
        roundTrip(g.runStatus(), RunWire::write, RunWire::readStatus);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void datasets(long seed) {
        WireGen g = new WireGen(seed);
        roundTrip(g.datasetVersion(), DatasetWire::write, DatasetWire::read);
        roundTrip(g.schema(), DatasetWire::write, DatasetWire::readSchema);
        roundTrip(g.column(), DatasetWire::write, DatasetWire::readColumn);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void registry(long seed) {
        WireGen g = new WireGen(seed);
        roundTrip(g.governance(), RegistryWire::write, RegistryWire::readGovernance);
        roundTrip(g.newModel(), RegistryWire::write, RegistryWire::readNewModel);
        roundTrip(g.registeredModel(), RegistryWire::write, RegistryWire::readModel);
        roundTrip(g.modelUpdate(), RegistryWire::write, RegistryWire::readUpdate);
        roundTrip(g.modelQuery(), RegistryWire::write, RegistryWire::readModelQuery);
        roundTrip(g.signature(), RegistryWire::write, RegistryWire::readSignature);
        roundTrip(g.newModelVersion(), RegistryWire::write, RegistryWire::readNewVersion);
        roundTrip(g.modelVersion(), RegistryWire::write, RegistryWire::readVersion);
        roundTrip(g.approval(), RegistryWire::write, RegistryWire::readApproval);
        roundTrip(g.aliasChange(), RegistryWire::write, RegistryWire::readAliasChange);
        roundTrip(g.artifact(), RegistryWire::write, RegistryWire::readArtifact);
        roundTrip(g.versionQuery(), RegistryWire::write, RegistryWire::readVersionQuery);
        roundTrip(g.versionStatus(), RegistryWire::write, RegistryWire::readVersionStatus);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void profiles(long seed) {
        WireGen g = new WireGen(seed);
        roundTrip(g.profileEntry(), ProfileWire::write, ProfileWire::readProfile);
        roundTrip(g.driftReportEntry(), ProfileWire::write, ProfileWire::readDriftReport);
        roundTrip(g.profileQuery(), ProfileWire::write, ProfileWire::readQuery);
        roundTrip(g.pick(dev.mlops.drift.ReportKind.values()), ProfileWire::write, ProfileWire::readKind);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void policies(long seed) {
        WireGen g = new WireGen(seed);
        roundTrip(g.policyState(), PolicyWire::write, PolicyWire::readState);
        roundTrip(g.policyDecision(), PolicyWire::write, PolicyWire::readDecision);
        roundTrip(g.retrainingRequest(), PolicyWire::write, PolicyWire::readRequest);
    }
}
