package io.prodgate.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.function.DoublePredicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The load balancer admin API of the demo; exact counts per target, never wall-clock speed. */
@Timeout(120)
class TrafficSplitterTest {

    private static Behaviour fast() {
        return Behaviour.defaults().withLatencyMedianSeconds(0.002).withLatencySigma(0);
    }

    /** 1:1 at build time; attaching it to a splitter gives it the splitter's split. */
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
    void postShiftsTheRunningTrafficAndAnswersTheSplit() throws Exception {
        PausingTicker pauses = new PausingTicker(50, 100);
        try (SampleService stable = SampleService.start("stable", fast());
                SampleService canary = SampleService.start("canary", fast());
                TrafficSplitter splitter = TrafficSplitter.start("stable", "canary", 20);
                LoadGenerator load = evenly(stable, canary, 150).ticker(pauses).build()) {
            splitter.attach(load);
            assertThat(load.weights()).containsExactly(entry("stable", 80.0), entry("canary", 20.0));
            pauses.watch(load);
            load.start();

            assertThat(pauses.awaitPause()).isEqualTo(50);
            assertThat(load.sentByTarget()).containsExactly(entry("stable", 40L), entry("canary", 10L));
            DemoHttp.Reply off = DemoHttp.post(splitter.weightsUrl(), "{\"canary\": 0}");
            assertThat(off.status()).isEqualTo(200);
            assertThat(off.contentType()).startsWith("application/json");
            assertThat(off.body()).isEqualTo("{\"stable\":100.0,\"canary\":0.0}");
            pauses.resume();

            assertThat(pauses.awaitPause()).isEqualTo(100);
            assertThat(load.sentByTarget()).containsExactly(entry("stable", 90L), entry("canary", 10L));
            // The stable target's share is as good a way to say it; the canary gets the rest.
            DemoHttp.Reply half = DemoHttp.post(splitter.weightsUrl(), "{\"stable\":50}");
            assertThat(half.status()).isEqualTo(200);
            assertThat(half.body()).isEqualTo("{\"stable\":50.0,\"canary\":50.0}");
            pauses.resume();

            assertThat(load.awaitCompletion(Duration.ofSeconds(60))).isTrue();
            assertThat(load.sentByTarget()).containsExactly(entry("stable", 115L), entry("canary", 35L));
            assertThat(load.failed()).isZero();
            assertThat(canary.requestCount("200")).isEqualTo(35);

            DemoHttp.Reply now = DemoHttp.get(splitter.weightsUrl());
            assertThat(now.status()).isEqualTo(200);
            assertThat(now.body()).isEqualTo("{\"stable\":50.0,\"canary\":50.0}");
            assertThat(splitter.canaryPercent()).isEqualTo(50.0);
        }
    }

    @Test
    void badInputAnswers400WithAReasonAndChangesNothing() throws Exception {
        try (TrafficSplitter splitter = TrafficSplitter.start("stable", "canary", 10);
                LoadGenerator load = LoadGenerator.builder()
                        .target("stable", "http://127.0.0.1:9", 1)
                        .target("canary", "http://127.0.0.1:9", 1)
                        .build()) {
            splitter.attach(load);
            String url = splitter.weightsUrl();
            assertBadRequest(url, "{\"canary\":\"ten\"}", "'canary' must be a number of percent in [0, 100]");
            assertBadRequest(url, "{\"canary\":\"10\"}", "must be a number");
            assertBadRequest(url, "{\"canary\":true}", "must be a number");
            assertBadRequest(url, "{\"canary\":null}", "must be a number");
            assertBadRequest(url, "{\"canary\":-1}", "'canary' must be in [0, 100] percent, got: -1");
            assertBadRequest(url, "{\"canary\":100.5}", "must be in [0, 100]");
            assertBadRequest(url, "{\"canary\":1e400}", "must be in [0, 100]");
            assertBadRequest(url, "{\"stable\":101}", "'stable' must be in [0, 100]");
            assertBadRequest(url, "{\"canry\":10}", "unknown target 'canry'; targets: [stable, canary]");
            assertBadRequest(url, "{\"canary\":10,\"stable\":90}", "exactly one target");
            assertBadRequest(url, "{}", "exactly one target");
            assertBadRequest(url, "{\"canary\":10,\"canary\":50}", "not valid JSON");
            assertBadRequest(url, "{\"canary\":10} 50", "not valid JSON");
            assertBadRequest(url, "canary=10", "not valid JSON");
            assertBadRequest(url, "", "must be a JSON object");
            assertBadRequest(url, "[10]", "must be a JSON object");
            assertBadRequest(url, "10", "must be a JSON object");

            DemoHttp.Reply big = DemoHttp.post(url, "{\"canary\":10" + " ".repeat(TrafficSplitter.MAX_BODY) + "}");
            assertThat(big.status()).isEqualTo(413);
            DemoHttp.Reply put = DemoHttp.send("PUT", url, "{\"canary\":10}");
            assertThat(put.status()).isEqualTo(405);
            assertThat(DemoHttp.send("DELETE", url, null).status()).isEqualTo(405);
            assertThat(DemoHttp.get(url + "/canary").status()).isEqualTo(404);
            assertThat(DemoHttp.get(splitter.url() + "/admin/behaviour").status()).isEqualTo(404);

            assertThat(splitter.split()).containsExactly(entry("stable", 90.0), entry("canary", 10.0));
            assertThat(load.weights()).containsExactly(entry("stable", 90.0), entry("canary", 10.0));
            assertThat(DemoHttp.get(url).body()).isEqualTo("{\"stable\":90.0,\"canary\":10.0}");
            // Fractions of a percent are fine.
            assertThat(DemoHttp.post(url, "{\"canary\":0.5}").body()).isEqualTo("{\"stable\":99.5,\"canary\":0.5}");
        }
    }

    private static void assertBadRequest(String url, String body, String reason) throws IOException {
        DemoHttp.Reply r = DemoHttp.post(url, body);
        assertThat(r.status()).as(body).isEqualTo(400);
        assertThat(r.contentType()).startsWith("application/json");
        assertThat(r.body()).as(body).startsWith("{\"error\":").contains(reason);
    }

    /** What a gate's traffic action asked for is on record, and a test can act on each shift as it arrives. */
    @Test
    void recordsEveryPostAndTellsAListenerOfEachShiftBeforeAnsweringIt() throws Exception {
        try (TrafficSplitter splitter = TrafficSplitter.start("stable", "canary", 0)) {
            java.util.List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
            splitter.onPost(p -> seen.add(p + " in force: " + splitter.canaryPercent()));
            String url = splitter.weightsUrl();
            assertThat(DemoHttp.post(url, "{\"canary\": 1}").status()).isEqualTo(200);
            // no waiting: the listener ran before the answer came back
            assertThat(seen).containsExactly("1.0 in force: 1.0");
            assertThat(DemoHttp.post(url, "{\"canary\": \"ten\"}").status()).isEqualTo(400);
            assertThat(DemoHttp.get(url).status()).isEqualTo(200);
            assertThat(DemoHttp.post(url, "{\"stable\": 90}").status()).isEqualTo(200);
            splitter.setCanaryPercent(50);

            assertThat(seen).containsExactly("1.0 in force: 1.0", "10.0 in force: 10.0");
            assertThat(splitter.postedShifts()).as("accepted POSTs only").containsExactly(1.0, 10.0);
            assertThat(splitter.posts()).as("every POST, the refused one too, no GET").isEqualTo(3);
            assertThat(splitter.canaryPercent()).isEqualTo(50.0);
        }
    }

    @Test
    void theSplitOutlivesTheGeneratorsItIsAttachedTo() throws Exception {
        try (SampleService stable = SampleService.start("stable", fast());
                SampleService canary = SampleService.start("canary", fast());
                TrafficSplitter splitter = TrafficSplitter.start("stable", "canary", 1)) {
            // Shifted while no traffic runs, as between two stages of the demo ...
            assertThat(DemoHttp.post(splitter.weightsUrl(), "{\"canary\":25}").status()).isEqualTo(200);
            assertThat(splitter.setCanaryPercent(25)).containsExactly(entry("stable", 75.0), entry("canary", 25.0));
            // ... the next traffic starts with the split in force.
            try (LoadGenerator load = evenly(stable, canary, 40).build()) {
                splitter.attach(load);
                load.start();
                assertThat(load.awaitCompletion(Duration.ofSeconds(60))).isTrue();
                assertThat(load.sentByTarget()).containsExactly(entry("stable", 30L), entry("canary", 10L));
            }
            // Everything on the canary, nothing on stable, is a split like any other.
            try (LoadGenerator load = evenly(stable, canary, 20).build()) {
                splitter.attach(load);
                assertThat(DemoHttp.post(splitter.weightsUrl(), "{\"canary\":100}").body())
                        .isEqualTo("{\"stable\":0.0,\"canary\":100.0}");
                load.start();
                assertThat(load.awaitCompletion(Duration.ofSeconds(60))).isTrue();
                assertThat(load.sentByTarget()).containsExactly(entry("stable", 0L), entry("canary", 20L));
            }

            LoadGenerator other = LoadGenerator.builder().target("blue", "http://127.0.0.1:9", 1)
                    .target("canary", "http://127.0.0.1:9", 1).build();
            try (other) {
                assertThatThrownBy(() -> splitter.attach(other))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("'stable' and 'canary'")
                        .hasMessageContaining("[blue, canary]");
            }
            assertThatThrownBy(() -> splitter.setCanaryPercent(-0.1)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> splitter.setCanaryPercent(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
            assertThat(splitter.canaryPercent()).isEqualTo(100.0);
        }
    }

    @Test
    void bindsLoopbackOnlyAndCloseStopsIt() throws Exception {
        assertThatThrownBy(() -> TrafficSplitter.start("stable", "stable", 10))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TrafficSplitter.start("stable", "canary", 101))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TrafficSplitter.start(" ", "canary", 10)).isInstanceOf(IllegalArgumentException.class);

        TrafficSplitter splitter = TrafficSplitter.start("stable", "canary", 10);
        String url = splitter.weightsUrl();
        assertThat(url).isEqualTo("http://127.0.0.1:" + splitter.port() + "/admin/weights");
        assertThat(DemoHttp.get(url).status()).isEqualTo(200);
        splitter.close();
        splitter.close(); // idempotent
        assertThatThrownBy(() -> DemoHttp.get(url)).isInstanceOf(IOException.class);
        assertThatThrownBy(splitter::url).isInstanceOf(IllegalStateException.class);
        assertThat(Thread.getAllStackTraces().keySet())
                .noneMatch(t -> t.isAlive() && t.getName().startsWith("traffic-splitter-"));
    }

    /**
     * What the canary gate will check, end to end: the canary's share of {@code http_requests_total} in a real
     * Prometheus follows a shift through the admin endpoint. Robust on a loaded machine: the traffic stops at exact
     * request counts, and the test waits for Prometheus to show exactly those counts (cumulative counters, no rate
     * over a time window).
     */
    @Test
    void prometheusSeesTheCanarysShareMoveAfterAShift() throws Exception {
        assumeTrue(LocalPrometheus.isInstalled(), "prometheus/promtool not on PATH; " + LocalPrometheus.INSTALL_HINT);
        PausingTicker pauses = new PausingTicker(200);
        try (SampleService stable = SampleService.start("stable", fast());
                SampleService canary = SampleService.start("canary", fast());
                LocalPrometheus prom = LocalPrometheus.builder()
                        .scrapeInterval(Duration.ofSeconds(1))
                        .scrapeTarget(ScrapeTarget.of("checkout", stable, Map.of("track", "stable")))
                        .scrapeTarget(ScrapeTarget.of("checkout", canary, Map.of("track", "canary")))
                        .start();
                TrafficSplitter splitter = TrafficSplitter.start("stable", "canary", 10);
                LoadGenerator load = evenly(stable, canary, 400).ratePerSecond(100).ticker(pauses).build()) {
            splitter.attach(load);
            pauses.watch(load);
            load.start();

            String canaryTotal = "sum(http_requests_total{track=\"canary\"})";
            String allTotal = "sum(http_requests_total{job=\"checkout\"})";
            assertThat(pauses.awaitPause()).isEqualTo(200);
            assertThat(load.sentByTarget()).containsExactly(entry("stable", 180L), entry("canary", 20L));
            // The requests still in flight at the pause land within milliseconds; Prometheus scrapes every second.
            double allBefore = awaitValue(prom, allTotal, v -> v == 200).orElse(-1);
            double canaryBefore = awaitValue(prom, canaryTotal, v -> v == 20).orElse(-1);
            assertThat(allBefore).as(prom.logTail(20)).isEqualTo(200.0);
            assertThat(canaryBefore).isEqualTo(20.0);

            assertThat(DemoHttp.post(splitter.weightsUrl(), "{\"canary\":50}").status()).isEqualTo(200);
            pauses.resume();
            assertThat(load.awaitCompletion(Duration.ofSeconds(60))).isTrue();
            assertThat(load.failed()).isZero();

            double allAfter = awaitValue(prom, allTotal, v -> v == 400).orElse(-1);
            double canaryAfter = awaitValue(prom, canaryTotal, v -> v == 120).orElse(-1);
            assertThat(allAfter).isEqualTo(400.0);
            assertThat(canaryAfter).isEqualTo(120.0);
            // The canary had 10 % of the traffic before the shift, and 50 % after it.
            assertThat(canaryBefore / allBefore).isEqualTo(0.1);
            assertThat((canaryAfter - canaryBefore) / (allAfter - allBefore)).isEqualTo(0.5);
        }
    }

    /** Polls an instant query until the predicate holds (at most 30 s); returns the last value seen. */
    private static OptionalDouble awaitValue(LocalPrometheus prom, String query, DoublePredicate ok)
            throws InterruptedException {
        OptionalDouble value = OptionalDouble.empty();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            value = prom.queryValue(query);
            if (value.isPresent() && ok.test(value.getAsDouble())) {
                break;
            }
            Thread.sleep(200);
        }
        return value;
    }
}
