package io.prodgate.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Runs a real Prometheus (Debian package {@code prometheus}); skipped only if it is not installed. */
@Timeout(60)
class LocalPrometheusTest {

    @BeforeAll
    static void requirePrometheus() {
        assumeTrue(LocalPrometheus.isInstalled(), "prometheus/promtool not on PATH; " + LocalPrometheus.INSTALL_HINT);
    }

    @Test
    void scrapesSampleServicesUnderLoad() throws Exception {
        Behaviour quick = Behaviour.defaults().withLatencyMedianSeconds(0.005).withLatencySigma(0.2);
        try (SampleService stable = SampleService.start("stable", quick);
                SampleService canary = SampleService.start("canary", quick.withVersion("1.5.0"));
                LocalPrometheus prom =
                        LocalPrometheus.builder()
                                .scrapeInterval(Duration.ofSeconds(1))
                                .scrapeTarget(ScrapeTarget.of("checkout", stable, Map.of("track", "stable")))
                                .scrapeTarget(ScrapeTarget.of("checkout", canary, Map.of("track", "canary")))
                                .start();
                LoadGenerator load =
                        LoadGenerator.builder()
                                .target(stable, 80)
                                .target(canary, 20)
                                .ratePerSecond(40)
                                .maxRequests(600)
                                .maxDuration(Duration.ofSeconds(15))
                                .start()) {
            assertThat(load.isRunning()).isTrue();
            assertThat(prom.url()).isEqualTo("http://127.0.0.1:" + prom.port());
            assertThat(Files.readString(prom.configFile())).contains("scrape_interval: 1s", "track: \"canary\"");

            String query = "sum(http_requests_total{track=\"canary\"})";
            OptionalDouble value = awaitValue(prom, query, v -> v > 0);
            assertThat(value).as("%s, log:%n%s", query, prom.logTail(20)).isPresent();
            assertThat(value.getAsDouble()).isPositive();
            // Both targets are scraped independently; wait for the stable one too.
            assertThat(awaitValue(prom, "count(up{job=\"checkout\"} == 1)", v -> v == 2)).hasValue(2.0);

            // Plain HTTP, as any client would do it.
            DemoHttp.Reply raw =
                    DemoHttp.get(prom.url() + "/api/v1/query?query="
                            + java.net.URLEncoder.encode(query, java.nio.charset.StandardCharsets.UTF_8));
            assertThat(raw.status()).isEqualTo(200);
            assertThat(raw.body()).contains("\"status\":\"success\"", "\"resultType\":\"vector\"");

            // Classic histogram buckets and build_info made it into Prometheus.
            assertThat(prom.queryValue("count(http_request_duration_seconds_bucket{track=\"stable\"})"))
                    .hasValue(8.0);
            assertThat(prom.queryValue("build_info{track=\"canary\"}")).hasValue(1.0);
            assertThat(prom.queryValue("build_info{track=\"canary\",version=\"1.5.0\"}")).hasValue(1.0);
            assertThat(load.failed()).isZero();
        }
    }

    /** Polls an instant query until the predicate holds (at most 15 s); returns the last value seen. */
    private static OptionalDouble awaitValue(LocalPrometheus prom, String query, java.util.function.DoublePredicate ok)
            throws InterruptedException {
        OptionalDouble value = OptionalDouble.empty();
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (System.nanoTime() < deadline) {
            value = prom.queryValue(query);
            if (value.isPresent() && ok.test(value.getAsDouble())) {
                break;
            }
            Thread.sleep(200);
        }
        return value;
    }

    @Test
    void servesBackfilledHistory(@TempDir Path tmp) throws Exception {
        Instant start = Instant.now().minus(3, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
        long t0 = start.getEpochSecond();
        Path om = tmp.resolve("history.om.txt");
        Files.writeString(
                om,
                String.join(
                        "\n",
                        "# HELP demo_history_requests Synthetic request history.",
                        "# TYPE demo_history_requests counter",
                        "demo_history_requests_total{track=\"canary\"} 10 " + t0,
                        "demo_history_requests_total{track=\"canary\"} 20 " + (t0 + 1800),
                        "demo_history_requests_total{track=\"canary\"} 30 " + (t0 + 3600),
                        "# EOF",
                        ""));

        LocalPrometheus prom = LocalPrometheus.builder().build();
        Path dir = prom.baseDir();
        try (prom) {
            prom.backfill(om);
            prom.start();
            assertThat(prom.queryValue("demo_history_requests_total{track=\"canary\"}", start.plusSeconds(1810)))
                    .hasValue(20.0);
            assertThat(prom.queryValue("demo_history_requests_total", start.plusSeconds(3600))).hasValue(30.0);
            assertThat(prom.queryValue("demo_history_requests_total")).isEmpty(); // 2 h old: outside the lookback
            assertThatThrownBy(() -> prom.backfill(om)).isInstanceOf(IllegalStateException.class);
        }
        assertThat(prom.isRunning()).isFalse();
        assertThat(dir).doesNotExist();
    }

    @Test
    void closeKillsTheProcessAndDeletesTheDirectory() {
        LocalPrometheus prom = LocalPrometheus.builder().start();
        ProcessHandle handle =
                ProcessHandle.current().children().filter(p -> p.info().command().orElse("").endsWith("prometheus"))
                        .filter(p -> p.info().arguments().map(a -> List.of(a).toString().contains(prom.baseDir().toString()))
                                .orElse(false))
                        .findFirst()
                        .orElseThrow();
        Path dir = prom.baseDir();
        assertThat(handle.isAlive()).isTrue();
        prom.close();
        prom.close();
        assertThat(handle.isAlive()).isFalse();
        assertThat(dir).doesNotExist();
        assertThatThrownBy(prom::url).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void badBackfillFileFailsWithPromtoolOutput(@TempDir Path tmp) throws Exception {
        Path om = tmp.resolve("bad.om.txt");
        Files.writeString(om, "this is not openmetrics\n");
        try (LocalPrometheus prom = LocalPrometheus.builder().build()) {
            assertThatThrownBy(() -> prom.backfill(om))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("promtool backfill");
        }
    }

    @Test
    void rendersConfigAndRejectsNonLoopbackTargets() {
        String yaml =
                LocalPrometheus.renderConfig(
                        Duration.ofMillis(500),
                        List.of(
                                new ScrapeTarget("app", "127.0.0.1:1234", Map.of("track", "stable")),
                                new ScrapeTarget("app", "127.0.0.1:1235", Map.of("track", "can\"ary"))));
        assertThat(yaml)
                .contains("scrape_interval: 500ms")
                .contains("evaluation_interval: 500ms")
                .containsOnlyOnce("job_name: \"app\"")
                .contains("- targets: [\"127.0.0.1:1234\"]")
                .contains("track: \"can\\\"ary\"");
        assertThatThrownBy(() -> ScrapeTarget.of("app", "example.com:80")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ScrapeTarget.of("app", "10.1.2.3:9090")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ScrapeTarget("app", "127.0.0.1:80", Map.of("__name__", "x")))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
