package dev.mlops.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.internal.audit.AuditJsonLines;
import dev.mlops.spi.PendingAuditEvent;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The worked example of {@code docs/audit.md}: every number printed there is asserted here, so the documentation
 * cannot drift from the code. The hashes were also checked with {@code sha256sum} on the printed hash inputs.
 */
class AuditChainDocExampleTest {
    private static final String RUN = "run:0190c8a4-7e2f-7000-8000-000000000001";

    private static final AuditEvent FIRST = AuditChain.seal(null, new PendingAuditEvent(
            Instant.parse("2026-01-31T12:00:00Z"), "alice", "run.create", RUN,
            "{\"job\": \"train-rain\", \"params\": {\"lr\": 0.05, \"epochs\": 10}}"));
    private static final AuditEvent SECOND = AuditChain.seal(FIRST, new PendingAuditEvent(
            Instant.parse("2026-01-31T12:00:01.250Z"), "alice", "run.log_metrics", RUN,
            "{\"metrics\": [{\"key\": \"accuracy\", \"value\": 0.8731, \"step\": 1},"
                    + " {\"key\": \"loss\", \"value\": 3.0e-1, \"step\": 1}]}"));

    @Test
    void firstEvent() {
        assertThat(FIRST.seq()).isEqualTo(1);
        assertThat(FIRST.data()).isEqualTo("{\"job\":\"train-rain\",\"params\":{\"epochs\":10,\"lr\":0.05}}");
        assertThat(FIRST.dataDigest())
                .isEqualTo("sha256:d1fff895200937cb36b7afd60bcd134c21db1db05e1b243ced13f44e9dcaf318");
        assertThat(AuditChain.hashInput(FIRST)).isEqualTo("{\"action\":\"run.create\",\"actor\":\"alice\","
                + "\"data_sha256\":\"d1fff895200937cb36b7afd60bcd134c21db1db05e1b243ced13f44e9dcaf318\","
                + "\"prev_hash\":\"0000000000000000000000000000000000000000000000000000000000000000\",\"seq\":1,"
                + "\"subject\":\"run:0190c8a4-7e2f-7000-8000-000000000001\",\"time\":\"2026-01-31T12:00:00.000Z\"}");
        assertThat(FIRST.hash()).isEqualTo("a04afac71cb72e5c985600caecf348296760ef8a50cf3558cd210fa80ea4c23d");
        assertThat(AuditChain.sha256Hex(AuditChain.hashInput(FIRST))).isEqualTo(FIRST.hash());
    }

    @Test
    void secondEvent() {
        assertThat(SECOND.data()).isEqualTo("{\"metrics\":[{\"key\":\"accuracy\",\"step\":1,\"value\":0.8731},"
                + "{\"key\":\"loss\",\"step\":1,\"value\":0.3}]}");
        assertThat(SECOND.dataDigest())
                .isEqualTo("sha256:ad5b46f1e17f40d54e952f7be55ccee41f4ed84ccf9f091757eb15d205e8ddf7");
        assertThat(SECOND.prevHash()).isEqualTo(FIRST.hash());
        assertThat(AuditChain.hashInput(SECOND)).isEqualTo("{\"action\":\"run.log_metrics\",\"actor\":\"alice\","
                + "\"data_sha256\":\"ad5b46f1e17f40d54e952f7be55ccee41f4ed84ccf9f091757eb15d205e8ddf7\","
                + "\"prev_hash\":\"a04afac71cb72e5c985600caecf348296760ef8a50cf3558cd210fa80ea4c23d\",\"seq\":2,"
                + "\"subject\":\"run:0190c8a4-7e2f-7000-8000-000000000001\",\"time\":\"2026-01-31T12:00:01.250Z\"}");
        assertThat(SECOND.hash()).isEqualTo("027701ada72a7b4bac8ed6963d6ade0f3bb637dae2fb28906510caa5d9f72054");
    }

    @Test
    void exportLines() {
        assertThat(AuditJsonLines.eventLine(FIRST)).isEqualTo("{\"seq\":1,\"time\":\"2026-01-31T12:00:00.000Z\","
                + "\"actor\":\"alice\",\"action\":\"run.create\",\"subject\":\"run:0190c8a4-7e2f-7000-8000-000000000001\","
                + "\"data\":{\"job\":\"train-rain\",\"params\":{\"epochs\":10,\"lr\":0.05}},"
                + "\"data_digest\":\"sha256:d1fff895200937cb36b7afd60bcd134c21db1db05e1b243ced13f44e9dcaf318\","
                + "\"prev_hash\":\"0000000000000000000000000000000000000000000000000000000000000000\","
                + "\"hash\":\"a04afac71cb72e5c985600caecf348296760ef8a50cf3558cd210fa80ea4c23d\"}");
        assertThat(AuditJsonLines.eventLine(FIRST.withDataErased()))
                .contains("\"data\":null,\"data_digest\":\"sha256:d1fff895");
    }

    @Test
    void checkpointMessage() {
        AuditCheckpoint checkpoint = new AuditCheckpoint(2, SECOND.hash(), Instant.parse("2026-01-31T12:05:00Z"),
                "d04de319ebea02bd", "c2ln");
        assertThat(checkpoint.signedMessage()).isEqualTo("mlops-audit-checkpoint:v1:2:"
                + "027701ada72a7b4bac8ed6963d6ade0f3bb637dae2fb28906510caa5d9f72054:2026-01-31T12:05:00.000Z");
    }
}
