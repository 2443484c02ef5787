package dev.mlops.internal.tracking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.StorageException;
import dev.mlops.tracking.MetricPoint;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@DisplayName("MetricSender")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MetricSenderTest {
    private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");

    /** Records what it stores; the first send waits for {@link #release}. */
    private static final class Recorder implements MetricSender.Target {
        final List<Long> stored = new ArrayList<>();
        final List<Long> dropped = new ArrayList<>();
        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch firstEntered = new CountDownLatch(1);
        private final AtomicBoolean first = new AtomicBoolean(true);

        @Override
        public void send(List<MetricPoint> points) {
            if (first.getAndSet(false)) {
                firstEntered.countDown();
                try {
                    assertThat(release.await(30, TimeUnit.SECONDS)).isTrue();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
            synchronized (this) {
                points.forEach(p -> stored.add(p.step()));
            }
        }

        @Override
        public synchronized void dropped(List<MetricPoint> points, RuntimeException cause) {
            points.forEach(p -> dropped.add(p.step()));
        }

        synchronized List<Long> stored() {
            return List.copyOf(stored);
        }

        synchronized List<Long> dropped() {
            return List.copyOf(dropped);
        }
    }

    private static List<MetricPoint> batch(long... steps) {
        List<MetricPoint> points = new ArrayList<>();
        for (long s : steps) {
            points.add(new MetricPoint("loss", s, s, T));
        }
        return points;
    }

    private static void awaitParked(Thread t) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (t.getState() != Thread.State.WAITING && t.getState() != Thread.State.TIMED_WAITING) {
            assertThat(System.nanoTime()).isLessThan(deadline);
            LockSupport.parkNanos(1_000_000);
        }
    }

    @Test
    @DisplayName("while close() waits, a flush of a chain with queued batches goes behind them; afterwards nothing"
            + " is taken")
    void flushDuringClose() throws Exception {
        MetricSender sender = new MetricSender(4);
        Recorder target = new Recorder();
        MetricSender.Chain chain = sender.chain(target);
        assertThat(sender.submit(chain, batch(0, 1))).isTrue();
        assertThat(target.firstEntered.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(sender.submit(chain, batch(2, 3))).isTrue();
        boolean[] drained = new boolean[1];
        Thread closer = new Thread(() -> drained[0] = sender.close(Duration.ofSeconds(30)), "closer");
        closer.start();
        awaitParked(closer);
        CompletableFuture<Void> flushed = sender.flush(chain, batch(4));
        assertThat(flushed).isNotNull();
        assertThat(sender.submit(chain, batch(5, 6))).as("no new full batches once closing").isFalse();
        target.release.countDown();
        closer.join(TimeUnit.SECONDS.toMillis(30));
        assertThat(drained[0]).isTrue();
        flushed.join();
        assertThat(target.stored()).containsExactly(0L, 1L, 2L, 3L, 4L);
        assertThat(sender.flush(chain, batch(7))).isNull();
        assertThat(sender.flush(sender.chain(new Recorder()), List.of())).isNull();
    }

    @Test
    @DisplayName("when close() gives up, queued full batches are dropped through the target, a queued flush fails,"
            + " and the batch being sent finishes on its own")
    void closeGivesUp() throws Exception {
        MetricSender sender = new MetricSender(4);
        Recorder target = new Recorder();
        MetricSender.Chain chain = sender.chain(target);
        assertThat(sender.submit(chain, batch(0))).isTrue();
        assertThat(target.firstEntered.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(sender.submit(chain, batch(1, 2))).isTrue();
        CompletableFuture<Void> flushed = sender.flush(chain, batch(3));
        assertThat(sender.close(Duration.ofMillis(50))).isFalse();
        assertThat(target.dropped()).containsExactly(1L, 2L);
        assertThatThrownBy(flushed::join).isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(StorageException.class);
        assertThat(sender.waitingFull()).isEqualTo(1);
        target.release.countDown();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (sender.waitingFull() > 0) {
            assertThat(System.nanoTime()).isLessThan(deadline);
            LockSupport.parkNanos(1_000_000);
        }
        assertThat(target.stored()).containsExactly(0L);
        assertThat(sender.close(Duration.ofSeconds(1))).isTrue();
    }
}
