package dev.mlops.internal.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class RunIdsTest {
    @Test
    void idsMadeOneAfterAnotherSortInTheOrderTheyWereMade() {
        Clock fixed = Clock.fixed(Instant.parse("2026-11-27T06:00:00Z"), ZoneOffset.UTC);
        Clock earlier = Clock.fixed(Instant.parse("2026-11-27T05:00:00Z"), ZoneOffset.UTC);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            ids.add(RunIds.next(i % 3 == 2 ? earlier : fixed)); // the same millisecond, and a clock going back
        }
        for (int i = 1; i < ids.size(); i++) {
            assertThat(ids.get(i)).as("id %d", i).isGreaterThan(ids.get(i - 1));
        }
        for (String id : ids) {
            UUID u = UUID.fromString(id);
            assertThat(u.version()).isEqualTo(7);
            assertThat(u.variant()).isEqualTo(2);
        }
    }

    @Test
    void theTimeIsTheClocksWhenItMovesOn() {
        Instant later = Instant.now().plusSeconds(2); // ahead of every id made so far in this JVM
        String id = RunIds.next(Clock.fixed(later, ZoneOffset.UTC));
        long millis = UUID.fromString(id).getMostSignificantBits() >>> 16;
        assertThat(millis).isEqualTo(later.toEpochMilli());
        String next = RunIds.next(Clock.fixed(later.plusMillis(5), ZoneOffset.UTC));
        assertThat(UUID.fromString(next).getMostSignificantBits() >>> 16).isEqualTo(later.toEpochMilli() + 5);
        assertThat(next).isGreaterThan(id);
    }
}
