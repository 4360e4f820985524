package io.prodgate.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Asserts what the generator does, not how fast: the limits are far from what a loaded 2-core CI needs. */
@Timeout(120)
class LoadGeneratorTest {

    private static Behaviour fast(double errorRate) {
        return Behaviour.defaults().withLatencyMedianSeconds(0.002).withLatencySigma(0).withErrorRate(errorRate);
    }

    @Test
    void stopsAfterMaxRequestsAndSplitsByWeight() throws Exception {
        try (SampleService stable = SampleService.start("stable", fast(0));
                SampleService canary = SampleService.start("canary", fast(1));
                LoadGenerator load =
                        LoadGenerator.builder()
                                .target(stable, 80)
                                .target(canary, 20)
                                .ratePerSecond(200)
                                .concurrency(4)
                                .maxRequests(50)
                                .maxDuration(Duration.ofMinutes(10))
                                .build()) {
            load.start();
            // Done long before its ten minutes: the request count stopped it.
            assertThat(load.awaitCompletion(Duration.ofSeconds(60))).isTrue();
            assertThat(load.isRunning()).isFalse();

            assertThat(load.sent()).isEqualTo(50);
            assertThat(load.sentByTarget()).containsEntry("stable", 40L).containsEntry("canary", 10L);
            assertThat(load.succeeded() + load.failed()).isEqualTo(50);
            assertThat(load.failed()).isEqualTo(10);
            assertThat(load.failedByTarget()).containsEntry("canary", 10L).containsEntry("stable", 0L);
            assertThat(stable.requestCount("200")).isEqualTo(40);
            assertThat(canary.requestCount("500")).isEqualTo(10);
        }
    }

    @Test
    void stopsAfterMaxDuration() throws Exception {
        try (SampleService s = SampleService.start("svc", fast(0));
                LoadGenerator load =
                        LoadGenerator.builder()
                                .target(s.url(), 1)
                                .ratePerSecond(20)
                                .maxRequests(1_000)
                                .maxDuration(Duration.ofMillis(600))
                                .ticker(new OnTime())
                                .start()) {
            assertThat(load.awaitCompletion(Duration.ofSeconds(60))).isTrue();
            // 20 req/s for 0.6 s: slots at 0, 50, ..., 550 ms, each sent or (every worker busy) dropped.
            assertThat(load.sent() + load.dropped()).isEqualTo(12);
            assertThat(load.failed()).isZero();
        }
    }

    /** The pacer's clock moves only while it waits, so every slot comes exactly on time, however loaded the machine. */
    private static final class OnTime implements LoadGenerator.Ticker {
        private final AtomicLong now = new AtomicLong();

        @Override
        public long nanoTime() {
            return now.get();
        }

        @Override
        public void parkNanos(long nanos) {
            now.addAndGet(nanos);
        }
    }

    @Test
    void stopEndsEarlyAndSlowTargetsDoNotPileUp() throws Exception {
        // Answers take 30 s: the requests in flight end only by the generator's 5 s request timeout or by stop().
        Behaviour slow = Behaviour.defaults().withLatencyMedianSeconds(30).withLatencySigma(0);
        try (SampleService s = SampleService.builder().name("slow").behaviour(slow).maxLatency(Duration.ofSeconds(30))
                .build().start()) {
            LoadGenerator load =
                    LoadGenerator.builder()
                            .target("slow", s.url(), 1)
                            .ratePerSecond(50)
                            .concurrency(2)
                            .maxRequests(1_000)
                            .maxDuration(Duration.ofMinutes(10))
                            .start();
            // Both workers wait on an answer, and the slots after them are dropped, not queued.
            awaitUntil(() -> load.sent() == 2 && load.dropped() > 0);
            load.stop();
            assertThat(load.awaitCompletion(Duration.ofSeconds(60))).isTrue();
            assertThat(load.isRunning()).isFalse();
            assertThat(load.sent()).isEqualTo(2); // only two workers; the rest was dropped
            assertThat(load.failed()).isEqualTo(2); // cancelled, never answered
            assertThat(load.dropped()).isPositive();
            awaitUntil(() -> Thread.getAllStackTraces().keySet().stream()
                    .noneMatch(t -> t.isAlive() && t.getName().startsWith("loadgen-")));
        }
    }

    /** Polls {@code condition} until it holds; the test's own timeout ends a wait that never does. */
    private static void awaitUntil(BooleanSupplier condition) throws InterruptedException {
        while (!condition.getAsBoolean()) {
            Thread.sleep(10);
        }
    }

    @Test
    void rejectsNonLoopbackTargets() {
        assertThatThrownBy(() -> LoadGenerator.builder().target("http://example.com", 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("loopback");
        assertThatThrownBy(() -> LoadGenerator.builder().target("http://10.0.0.1:8080", 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LoadGenerator.builder().target("http://127.0.0.1.example.com:80", 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LoadGenerator.builder().target("http://[::ffff:8.8.8.8]:80", 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LoadGenerator.builder().target("ftp://127.0.0.1/", 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LoadGenerator.builder().target("http://user@127.0.0.1:80", 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LoadGenerator.builder().target("http://127.0.0.1:80", 0))
                .isInstanceOf(IllegalArgumentException.class);
        // Accepted forms.
        LoadGenerator.builder().target("http://127.0.0.1:8080", 1).target("http://localhost:8080/", 1)
                .target("http://[::1]:8080", 1).target("http://127.1.2.3:9", 1);
    }

    @Test
    void rejectsUnboundedSettings() {
        assertThatThrownBy(() -> LoadGenerator.builder().maxRequests(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LoadGenerator.builder().maxRequests(10_000_000))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LoadGenerator.builder().maxDuration(Duration.ofDays(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LoadGenerator.builder().ratePerSecond(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LoadGenerator.builder().build()).isInstanceOf(IllegalArgumentException.class);
    }
}
