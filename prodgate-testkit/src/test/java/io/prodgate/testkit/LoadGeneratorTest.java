package io.prodgate.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
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

    /** 1:1 at build time; the tests set the split they want. Fast, so that every request succeeds. */
    private static LoadGenerator.Builder evenly(SampleService stable, SampleService canary, long requests) {
        return LoadGenerator.builder()
                .target(stable, 1)
                .target(canary, 1)
                .ratePerSecond(500)
                .concurrency(4)
                .maxRequests(requests)
                .maxDuration(Duration.ofMinutes(10));
    }

    @Test
    void weightsSetBeforeStartDecideTheSplit() throws Exception {
        try (SampleService stable = SampleService.start("stable", fast(0));
                SampleService canary = SampleService.start("canary", fast(0));
                LoadGenerator load = evenly(stable, canary, 100).build()) {
            assertThat(load.weights()).containsExactly(entry("stable", 1.0), entry("canary", 1.0));
            assertThat(load.setWeights(Map.of("stable", 90.0, "canary", 10.0)))
                    .containsExactly(entry("stable", 90.0), entry("canary", 10.0));
            load.start();
            assertThat(load.awaitCompletion(Duration.ofSeconds(60))).isTrue();
            assertThat(load.sentByTarget()).containsExactly(entry("stable", 90L), entry("canary", 10L));
            assertThat(load.failed()).isZero();
            assertThat(canary.requestCount("200")).isEqualTo(10);
        }
    }

    @Test
    void weightZeroSendsNothingToThatTarget() throws Exception {
        try (SampleService stable = SampleService.start("stable", fast(0));
                SampleService canary = SampleService.start("canary", fast(0));
                LoadGenerator load = evenly(stable, canary, 60).build()) {
            load.setWeight("canary", 0);
            load.start();
            assertThat(load.awaitCompletion(Duration.ofSeconds(60))).isTrue();
            assertThat(load.sentByTarget()).containsExactly(entry("stable", 60L), entry("canary", 0L));
            assertThat(canary.requestCount("200") + canary.requestCount("500")).isZero();
            assertThat(stable.requestCount("200")).isEqualTo(60);
        }
    }

    @Test
    void weightsChangedWhileRunningTakeEffectFromTheNextRequest() throws Exception {
        PausingTicker pauses = new PausingTicker(50, 75, 100);
        try (SampleService stable = SampleService.start("stable", fast(0));
                SampleService canary = SampleService.start("canary", fast(0));
                LoadGenerator load = evenly(stable, canary, 150).ticker(pauses).build()) {
            load.setWeights(Map.of("stable", 80.0, "canary", 20.0));
            pauses.watch(load);
            load.start();

            assertThat(pauses.awaitPause()).isEqualTo(50);
            assertThat(load.isRunning()).isTrue();
            assertThat(load.sentByTarget()).containsExactly(entry("stable", 40L), entry("canary", 10L));
            // From another thread than the pacer's, as a load balancer's admin call would come.
            load.setWeight("canary", 0);
            pauses.resume();

            assertThat(pauses.awaitPause()).isEqualTo(75);
            assertThat(load.sentByTarget()).containsExactly(entry("stable", 65L), entry("canary", 10L));
            // The same weights again change nothing (nor restart the round-robin).
            assertThat(load.setWeight("canary", 0)).containsExactly(entry("stable", 80.0), entry("canary", 0.0));
            pauses.resume();

            assertThat(pauses.awaitPause()).isEqualTo(100);
            assertThat(load.sentByTarget()).containsExactly(entry("stable", 90L), entry("canary", 10L));
            // All at once from 100/0 to 0/100 (one at a time would pass through an all-zero split) ...
            load.setWeights(Map.of("stable", 0.0, "canary", 100.0));
            // ... and, at the same pause, on to an even split: the last change counts.
            load.setWeights(Map.of("stable", 50.0, "canary", 50.0));
            pauses.resume();

            assertThat(load.awaitCompletion(Duration.ofSeconds(60))).isTrue();
            assertThat(load.sentByTarget()).containsExactly(entry("stable", 115L), entry("canary", 35L));
            assertThat(load.failed()).isZero();
            assertThat(canary.requestCount("200")).isEqualTo(35);
        }
    }

    @Test
    void settingTheSameWeightsAgainDoesNotRestartTheRoundRobin() throws Exception {
        // 3:1 gives the canary the 3rd request of every 4; were the round-robin restarted at every repeat of the same
        // weights (here after every 2nd request), the canary's turn would never come.
        PausingTicker pauses = new PausingTicker(2, 4, 6, 8, 10);
        try (SampleService stable = SampleService.start("stable", fast(0));
                SampleService canary = SampleService.start("canary", fast(0));
                LoadGenerator load = evenly(stable, canary, 12).ticker(pauses).build()) {
            load.setWeights(Map.of("stable", 3.0, "canary", 1.0));
            pauses.watch(load);
            load.start();
            for (int i = 0; i < 5; i++) {
                assertThat(pauses.awaitPause()).isEqualTo(2L * (i + 1));
                load.setWeights(Map.of("stable", 3.0, "canary", 1.0));
                pauses.resume();
            }
            assertThat(load.awaitCompletion(Duration.ofSeconds(60))).isTrue();
            assertThat(load.sentByTarget()).containsExactly(entry("stable", 9L), entry("canary", 3L));
        }
    }

    @Test
    void setWeightRejectsBadValuesAndChangesNothing() {
        LoadGenerator load = LoadGenerator.builder()
                .target("stable", "http://127.0.0.1:9", 3)
                .target("canary", "http://127.0.0.1:9", 1)
                .build();
        try (load) {
            assertThatThrownBy(() -> load.setWeight("canry", 1))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("unknown target 'canry'")
                    .hasMessageContaining("[stable, canary]");
            assertThatThrownBy(() -> load.setWeight("canary", -1))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(">= 0");
            assertThatThrownBy(() -> load.setWeight("canary", Double.NaN)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> load.setWeight("canary", Double.POSITIVE_INFINITY))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> load.setWeights(Map.of("stable", Double.MAX_VALUE, "canary", Double.MAX_VALUE)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("finite");
            assertThatThrownBy(() -> load.setWeights(Map.of("stable", 0.0, "canary", 0.0)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("positive weight");
            // Half of a valid change with a bad other half is not applied either.
            assertThatThrownBy(() -> load.setWeights(Map.of("stable", 5.0, "nope", 1.0)))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(load.weights()).containsExactly(entry("stable", 3.0), entry("canary", 1.0));

            load.setWeight("stable", 0); // the canary keeps a positive weight
            assertThatThrownBy(() -> load.setWeight("canary", 0)).isInstanceOf(IllegalArgumentException.class);
            assertThat(load.weights()).containsExactly(entry("stable", 0.0), entry("canary", 1.0));
        }
    }

    @Test
    void targetsOfOneNameShareItsWeight() {
        LoadGenerator load = LoadGenerator.builder()
                .target("stable", "http://127.0.0.1:9", 1)
                .target("stable", "http://127.0.0.1:10", 1)
                .target("canary", "http://127.0.0.1:11", 1)
                .build();
        try (load) {
            assertThat(load.weights()).containsExactly(entry("stable", 2.0), entry("canary", 1.0));
            assertThat(load.setWeight("stable", 9)).containsExactly(entry("stable", 9.0), entry("canary", 1.0));
        }
    }

    @Test
    void concurrentSetWeightWhileSendingNeverThrows() throws Exception {
        try (SampleService stable = SampleService.start("stable", fast(0));
                SampleService canary = SampleService.start("canary", fast(0));
                LoadGenerator load = evenly(stable, canary, 500).ratePerSecond(1_000).build()) {
            List<Throwable> errors = new CopyOnWriteArrayList<>();
            AtomicLong changes = new AtomicLong();
            load.start();
            List<Thread> shifters = new ArrayList<>();
            for (int k = 0; k < 2; k++) {
                long seed = k;
                Thread t = new Thread(() -> {
                    Random random = new Random(seed);
                    try {
                        // The stable target always keeps a positive weight, so that every change is a valid one.
                        while (load.isRunning()) {
                            if (random.nextBoolean()) {
                                load.setWeight("canary", random.nextInt(3) == 0 ? 0 : random.nextInt(101));
                            } else {
                                load.setWeights(Map.of("stable", 1.0 + random.nextInt(100),
                                        "canary", (double) random.nextInt(101)));
                            }
                            load.weights();
                            changes.incrementAndGet();
                            LockSupport.parkNanos(100_000); // let the pacer and the services have the cores too
                        }
                    } catch (Throwable e) {
                        errors.add(e);
                    }
                }, "weights-shifter-" + k);
                t.start();
                shifters.add(t);
            }
            assertThat(load.awaitCompletion(Duration.ofSeconds(100))).isTrue();
            for (Thread t : shifters) {
                t.join();
            }
            assertThat(errors).isEmpty();
            assertThat(changes.get()).isPositive();
            assertThat(load.sent()).isEqualTo(500);
            assertThat(load.sentByTarget().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(500);
            assertThat(load.succeeded() + load.failed()).isEqualTo(500);
            assertThat(load.failed()).isZero();
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
