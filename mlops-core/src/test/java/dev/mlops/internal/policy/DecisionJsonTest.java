package dev.mlops.internal.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.IntegrityException;
import dev.mlops.policy.Decision;
import dev.mlops.policy.RetrainingPolicy;
import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;

class DecisionJsonTest {

    @RepeatedTest(30)
    void decisionsOfRandomHistoriesRoundTrip(RepetitionInfo info) {
        SplittableRandom r = new SplittableRandom(0xd5_0000L + info.getCurrentRepetition());
        RetrainingPolicy policy = PolicyPropertiesTest.policy(r);
        for (PolicyEngine.Evaluation e : PolicyPropertiesTest.replay(policy, PolicyPropertiesTest.history(r, 20))) {
            String json = DecisionJson.write(e.decision());
            assertThat(DecisionJson.read(json)).isEqualTo(e.decision());
            assertThat(DecisionJson.write(DecisionJson.read(json))).isEqualTo(json);
        }
    }

    @Test
    void aHeldDecisionIsWrittenExactlySo() {
        GuardsTest.Run run = new GuardsTest.Run(GuardsTest.low().cooldown(Duration.ofHours(1), 0).build());
        run.step(true);
        Decision held = run.after(Duration.ofMinutes(30), true, 5);
        assertThat(DecisionJson.write(held)).isEqualTo("{\"format\":\"mlops.policy_decision\",\"format_version\":1,"
                + "\"policy\":\"p\",\"policy_version\":1,\"model\":\"churn\",\"window_id\":\"w2\","
                + "\"idempotency_key\":\"p/churn/w2\",\"observed_at\":\"2024-03-04T10:30:00Z\","
                + "\"decided_at\":\"2024-03-04T10:30:00Z\",\"status\":\"held\",\"retrain\":false,\"triggered\":true,"
                + "\"conditions\":[{\"path\":\"conditions\",\"type\":\"any_of\",\"description\":\"any of 1 conditions\","
                + "\"measured\":1.0,\"threshold\":1.0,\"comparator\":\">=\",\"fired\":true,\"note\":\"1 of 1 fired\"},"
                + "{\"path\":\"conditions[0]\",\"type\":\"metric_threshold\",\"description\":\"accuracy < 0.8\","
                + "\"measured\":0.5,\"threshold\":0.8,\"comparator\":\"<\",\"fired\":true,\"note\":\"accuracy 0.5\"}],"
                + "\"guards\":[{\"guard\":\"cooldown\",\"held\":true,\"reason\":\"1800 s since the last retrain at "
                + "2024-03-04T10:00:00Z (window 'w1'), minimum 3600 s; 5 rows since, minimum 0\"}],"
                + "\"held_by\":\"cooldown\",\"reason\":\"" + held.reason() + "\"}");
        assertThat(held.reasons()).containsExactly("conditions[0] accuracy < 0.8: 0.5", "held by cooldown: 1800 s "
                + "since the last retrain at 2024-03-04T10:00:00Z (window 'w1'), minimum 3600 s; 5 rows since, "
                + "minimum 0");
    }

    @Test
    void aDamagedDecisionIsAnIntegrityError() {
        GuardsTest.Run run = new GuardsTest.Run(GuardsTest.low().build());
        String json = DecisionJson.write(run.step(true));
        assertThatThrownBy(() -> DecisionJson.read(json.replace("\"retrain\":true", "\"retrain\":false")))
                .isInstanceOf(IntegrityException.class).hasMessageContaining("retrain or idempotency_key");
        assertThatThrownBy(() -> DecisionJson.read(json.replace("\"status\":\"retrain\"", "\"status\":\"maybe\"")))
                .isInstanceOf(IntegrityException.class).hasMessageContaining("status must be one of");
        assertThatThrownBy(() -> DecisionJson.read("{}")).isInstanceOf(IntegrityException.class);
        assertThat(DecisionJson.read(json).retrain()).isTrue();
    }
}
