package io.prodgate.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
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
                                .maxDuration(Duration.ofSeconds(20))
                                .build()) {
            long t0 = System.nanoTime();
            load.start();
            assertThat(load.awaitCompletion(Duration.ofSeconds(15))).isTrue();
            assertThat(load.isRunning()).isFalse();
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));

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
                                .start()) {
            assertThat(load.awaitCompletion(Duration.ofSeconds(10))).isTrue();
            // 20 req/s for 0.6 s: about 12 slots.
            assertThat(load.sent() + load.dropped()).isBetween(8L, 14L);
            assertThat(load.failed()).isZero();
        }
    }

    @Test
    void stopEndsEarlyAndSlowTargetsDoNotPileUp() throws Exception {
        Behaviour slow = Behaviour.defaults().withLatencyMedianSeconds(2).withLatencySigma(0);
        try (SampleService s = SampleService.start("slow", slow)) {
            LoadGenerator load =
                    LoadGenerator.builder()
                            .target("slow", s.url(), 1)
                            .ratePerSecond(50)
                            .concurrency(2)
                            .maxRequests(1_000)
                            .maxDuration(Duration.ofSeconds(30))
                            .start();
            Thread.sleep(300);
            long t0 = System.nanoTime();
            load.stop();
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
            assertThat(load.awaitCompletion(Duration.ofSeconds(1))).isTrue();
            assertThat(load.sent()).isEqualTo(2); // only two workers; the rest was dropped
            assertThat(load.dropped()).isPositive();
            assertThat(Thread.getAllStackTraces().keySet())
                    .noneMatch(t -> t.isAlive() && (t.getName().startsWith("loadgen-")));
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
