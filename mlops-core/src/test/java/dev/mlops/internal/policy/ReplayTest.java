package dev.mlops.internal.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.policy.Condition;
import dev.mlops.policy.Decision;
import dev.mlops.policy.Decision.Status;
import dev.mlops.policy.Guards.Guard;
import dev.mlops.policy.Observation;
import dev.mlops.policy.RetrainingPolicy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * A history replayed through the pure evaluation with a clock at each observation's time, as a backtest does: the
 * timeline of decisions on a synthetic abrupt change of accuracy.
 */
class ReplayTest {

    @Test
    void anAbruptChangeIsDetectedAfterTheHysteresisAndTheCooldownSpacesTheRetrains() {
        RetrainingPolicy policy = RetrainingPolicy.builder("monthly")
                .anyOf(Condition.metricBelow("accuracy", 0.8), Condition.modelAge(Duration.ofDays(365)))
                .consecutive(2)
                .cooldown(Duration.ofDays(90), 0)
                .build();
        // accuracy 0.9 for 2014-01 .. 2014-06, then 0.7 (an abrupt change); the retrained models do not help
        List<Observation> history = new ArrayList<>();
        for (int m = 0; m < 12; m++) {
            LocalDate month = LocalDate.of(2014, 1, 1).plusMonths(m);
            Instant end = month.plusMonths(1).atStartOfDay().toInstant(ZoneOffset.UTC);
            history.add(Observation.builder(month.toString().substring(0, 7), end, "rain")
                    .metric("accuracy", m < 6 ? 0.9 : 0.7).rows(30)
                    .modelCreatedAt(Instant.parse("2014-01-01T00:00:00Z")).build());
        }
        PolicyState state = PolicyState.INITIAL;
        List<Decision> timeline = new ArrayList<>();
        for (Observation o : history) {
            PolicyEngine.Evaluation e = PolicyEngine.evaluate(policy, state, o, Clock.fixed(o.time(), ZoneOffset.UTC),
                    TestDetectors.factory());
            timeline.add(e.decision());
            state = e.state();
        }
        assertThat(timeline).extracting(Decision::status).containsExactly(
                Status.NO_RETRAIN, Status.NO_RETRAIN, Status.NO_RETRAIN, Status.NO_RETRAIN, Status.NO_RETRAIN,
                Status.NO_RETRAIN,
                Status.HELD, Status.RETRAIN, Status.HELD, Status.HELD, Status.RETRAIN, Status.HELD);
        assertThat(timeline).extracting(d -> d.heldBy().orElse(null)).containsExactly(null, null, null, null, null,
                null, Guard.HYSTERESIS, null, Guard.HYSTERESIS, Guard.COOLDOWN, null, Guard.HYSTERESIS);
        assertThat(timeline.stream().filter(Decision::retrain).map(Decision::windowId))
                .containsExactly("2014-08", "2014-11");
        Map<Guard, Integer> heldBy = new TreeMap<>();
        timeline.forEach(d -> d.heldBy().ifPresent(g -> heldBy.merge(g, 1, Integer::sum)));
        // July, September and December wait for a second month in a row (a retrain starts the history again);
        // October comes 61 days after August's retrain, decided on 1 September, with a cooldown of 90
        assertThat(heldBy).containsExactly(Map.entry(Guard.HYSTERESIS, 3), Map.entry(Guard.COOLDOWN, 1));
        assertThat(timeline.get(9).guard(Guard.COOLDOWN).orElseThrow().reason())
                .isEqualTo("5270400 s since the last retrain at 2014-09-01T00:00:00Z (window '2014-08'), minimum "
                        + "7776000 s; 60 rows since, minimum 0");
        // from the change (end of July) to its detection (end of August)
        assertThat(Duration.between(timeline.get(6).observedAt(), timeline.get(7).decidedAt()))
                .isEqualTo(Duration.ofDays(31));
    }
}
