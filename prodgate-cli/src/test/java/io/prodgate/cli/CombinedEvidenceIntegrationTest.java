package io.prodgate.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.prodgate.core.canary.CanarySpec;
import io.prodgate.core.canary.EvidencePolicy;
import io.prodgate.core.canary.EvidenceSource;
import io.prodgate.core.canary.PrometheusEvidence;
import io.prodgate.core.canary.RatioSlo;
import io.prodgate.core.canary.Reading;
import io.prodgate.core.canary.SloEvidence;
import io.prodgate.core.canary.SloSpec;
import io.prodgate.core.canary.ValueCheck;
import io.prodgate.core.prometheus.PrometheusClient;
import io.prodgate.testkit.LocalPrometheus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The combined request of {@link PrometheusEvidence} against a real Prometheus with backfilled data: every reading is
 * the one separate queries give ({@link SeparateQueryEvidence}, the code before the combination), for several SLOs,
 * both sides, a side without data, events without series, a misspelt metric, a query with several series, a counter
 * reset and a query that cannot be wrapped; and an evaluation is one request for all ratio SLOs.
 */
class CombinedEvidenceIntegrationTest {
    static final long T0 = (Instant.now().getEpochSecond() - 4 * 3600) / 60 * 60;
    static final int EVALUATIONS = 10;
    static LocalPrometheus prometheus;
    @TempDir
    static Path dir;

    @BeforeAll
    static void startPrometheus() throws Exception {
        assumeTrue(LocalPrometheus.isInstalled(), LocalPrometheus.INSTALL_HINT);
        StringBuilder om = new StringBuilder("# TYPE http_requests_total unknown\n");
        // main: both sides serve; the canary's 5xx come as 500 and 503, and its 200 counter resets (a restart)
        series(om, "main", "stable", "200", t -> 40 * t);
        series(om, "main", "stable", "500", t -> t / 5);
        series(om, "main", "canary", "200", t -> t < T0 + 300 ? 10 * t : 10 * (t - T0 - 300));
        series(om, "main", "canary", "500", t -> t / 10);
        series(om, "main", "canary", "503", t -> t / 30);
        // quiet: only the stable side, which never served a 5xx
        series(om, "quiet", "stable", "200", t -> 20 * t);
        om.append("# EOF\n");
        Path file = Files.writeString(dir.resolve("history.om"), om);
        prometheus = LocalPrometheus.builder().backfill(file).build().start();
    }

    /** One counter sampled every 15 s from 10 minutes before the bake to 5 minutes after it, t in seconds since T0. */
    static void series(StringBuilder om, String scenario, String track, String code, Function<Long, Long> value) {
        for (long t = T0 - 600; t <= T0 + 60 * EVALUATIONS + 300; t += 15) {
            om.append("http_requests_total{scenario=\"").append(scenario).append("\",track=\"").append(track)
                    .append("\",code=\"").append(code).append("\"} ").append(value.apply(t - T0 + 600))
                    .append(' ').append(t).append('\n');
        }
    }

    @AfterAll
    static void stopPrometheus() {
        if (prometheus != null) {
            prometheus.close();
        }
    }

    static final String TOTAL = "sum(increase(http_requests_total{${selector}}[${window}]))";

    static RatioSlo slo(String name, String events, boolean countsGood, String total) {
        return new RatioSlo(name, events, countsGood, total, 0.99, 0.1);
    }

    static final List<SloSpec> SLOS = List.of(
            slo("availability", "sum(increase(http_requests_total{${selector},code=~\"5..\"}[${window}]))", false, TOTAL),
            // several series for the canary (500 and 503), one for the baseline
            slo("by-code", "sum by (code) (increase(http_requests_total{${selector},code=~\"5..\"}[${window}]))", false,
                    TOTAL),
            slo("good", "sum(increase(http_requests_total{${selector},code=\"200\"}[${window}]))", true, TOTAL),
            // no series, although the metric exists
            slo("teapot", "sum(increase(http_requests_total{${selector},code=\"418\"}[${window}]))", false, TOTAL),
            // a misspelt metric
            slo("typo", "sum(increase(http_request_total{${selector},code=~\"5..\"}[${window}]))", false, TOTAL),
            new ValueCheck("rps", "sum(rate(http_requests_total{${selector}}[${window}]))", OptionalDouble.empty(),
                    OptionalDouble.of(1e9), 2));

    static CanarySpec spec(String scenario, List<SloSpec> slos) {
        return CanarySpec.builder()
                .selectors("scenario=\"" + scenario + "\",track=\"canary\"", "scenario=\"" + scenario + "\",track=\"stable\"")
                .bake(Duration.ofMinutes(EVALUATIONS)).interval(Duration.ofMinutes(1))
                .maxDataGap(Duration.ofMinutes(5)).slos(slos).policy(EvidencePolicy.inconclusive()).build();
    }

    /** A client on its own connection pool that counts its HTTP requests. */
    record Counted(PrometheusClient client, AtomicInteger requests) {
        static Counted open() {
            AtomicInteger requests = new AtomicInteger();
            OkHttpClient http = new OkHttpClient.Builder().addInterceptor(chain -> {
                requests.incrementAndGet();
                return chain.proceed(chain.request());
            }).build();
            return new Counted(PrometheusClient.builder().baseUrl(prometheus.url()).okHttpClient(http).build(), requests);
        }
    }

    /** Every evaluation of the bake from evaluation {@code first}, and the requests each took. */
    record Bake(List<List<SloEvidence>> evidence, List<Integer> requests) {
    }

    static Bake bake(CanarySpec spec, Function<PrometheusClient, EvidenceSource> source, int first) {
        Counted counted = Counted.open();
        EvidenceSource evidence = source.apply(counted.client());
        Instant start = Instant.ofEpochSecond(T0);
        List<List<SloEvidence>> all = new ArrayList<>();
        List<Integer> requests = new ArrayList<>();
        for (int i = first; i <= EVALUATIONS; i++) {
            int before = counted.requests().get();
            all.add(evidence.collect(spec, start, start.plusSeconds(60L * (i - 1)), start.plusSeconds(60L * i)));
            requests.add(counted.requests().get() - before);
        }
        counted.client().close();
        return new Bake(all, requests);
    }

    static Reading reading(Bake bake, int evaluation, String slo, boolean canary) {
        SloEvidence e = bake.evidence().get(evaluation).stream().filter(s -> s.slo().equals(slo)).findFirst().orElseThrow();
        return canary ? e.canary() : e.baseline();
    }

    @Test
    void everyReadingIsTheOneSeparateQueriesGive() {
        CanarySpec spec = spec("main", SLOS);
        Bake combined = bake(spec, PrometheusEvidence::new, 1);
        Bake separate = bake(spec, SeparateQueryEvidence::new, 1);
        assertThat(combined.evidence()).isEqualTo(separate.evidence());

        // the cases this is meant to cover are there
        for (int i = 0; i < EVALUATIONS; i++) {
            assertThat(reading(combined, i, "availability", true).hasTraffic()).isTrue();
            assertThat(reading(combined, i, "availability", false).hasTraffic()).isTrue();
            assertThat(reading(combined, i, "by-code", true).status()).isEqualTo(Reading.Status.INVALID);
            assertThat(reading(combined, i, "by-code", true).detail()).contains("returned 2 series", "code=\"503\"")
                    .doesNotContain("prodgate_figure");
            assertThat(reading(combined, i, "by-code", false).ok()).isTrue();
            assertThat(reading(combined, i, "teapot", true).ok()).isTrue();
            assertThat(reading(combined, i, "teapot", true).bad()).isZero();
            assertThat(reading(combined, i, "teapot", true).unseenMetric()).isNull();
            assertThat(reading(combined, i, "typo", true).unseenMetric()).isEqualTo("http_request_total");
            assertThat(reading(combined, i, "rps", true).ok()).isTrue();
        }
        // the canary's 200 counter reset in the sixth minute: increase() counts on across it
        assertThat(reading(combined, 5, "good", true).total()).isGreaterThan(500);

        // one request for the five ratio SLOs, one for the value check
        assertThat(combined.requests()).containsOnly(2);
        System.out.println("requests per evaluation, 5 ratio SLOs and a value check: combined " + combined.requests()
                + ", separate " + separate.requests());
        assertThat(separate.requests().stream().mapToInt(Integer::intValue).sum())
                .isGreaterThan(2 * combined.requests().stream().mapToInt(Integer::intValue).sum());
    }

    @Test
    void twoSlosWithTheirOwnTotalsTakeOneRequestInsteadOfEight() {
        CanarySpec spec = spec("main", List.of(SLOS.get(0),
                slo("success", "sum(increase(http_requests_total{${selector},code=\"200\"}[${window}]))", true,
                        "sum(increase(http_requests_total{${selector},code=~\"2..|5..\"}[${window}]))")));
        Bake combined = bake(spec, PrometheusEvidence::new, 1);
        Bake separate = bake(spec, SeparateQueryEvidence::new, 1);
        assertThat(combined.evidence()).isEqualTo(separate.evidence());
        System.out.println("requests per evaluation, 2 ratio SLOs: combined " + combined.requests() + ", separate "
                + separate.requests());
        assertThat(combined.requests()).containsOnly(1);
        assertThat(separate.requests().subList(1, EVALUATIONS)).containsOnly(8);
    }

    @Test
    void aSideWithoutDataAndEventsWithoutSeriesReadAsSeparateQueriesDo() {
        CanarySpec spec = spec("quiet", List.of(SLOS.get(0), SLOS.get(3)));
        Bake combined = bake(spec, PrometheusEvidence::new, 1);
        assertThat(combined.evidence()).isEqualTo(bake(spec, SeparateQueryEvidence::new, 1).evidence());
        assertThat(reading(combined, 3, "availability", true).status()).isEqualTo(Reading.Status.NO_DATA);
        assertThat(reading(combined, 3, "availability", false).hasTraffic()).isTrue();
        assertThat(reading(combined, 3, "availability", false).bad()).isZero();
        assertThat(combined.requests()).containsOnly(1);
    }

    @Test
    void aBakeResumedMidwayAsksTheStartOfItsFirstWindowOnce() {
        CanarySpec spec = spec("main", SLOS.subList(0, 3));
        Bake combined = bake(spec, PrometheusEvidence::new, 6);
        assertThat(combined.evidence()).isEqualTo(bake(spec, SeparateQueryEvidence::new, 6).evidence());
        assertThat(combined.requests()).containsExactly(2, 1, 1, 1, 1);
    }

    @Test
    void aQueryThatCannotBeWrappedIsAskedAloneWithItsOwnOutcome() {
        CanarySpec spec = spec("main", List.of(SLOS.get(0),
                slo("scalar", "sum(increase(http_requests_total{${selector},code=~\"5..\"}[${window}]))", false,
                        "scalar(sum(increase(http_requests_total{${selector}}[${window}])))"),
                slo("range", "http_requests_total{${selector},code=\"500\"}[${window}]", false, TOTAL)));
        Bake combined = bake(spec, PrometheusEvidence::new, 1);
        Bake separate = bake(spec, SeparateQueryEvidence::new, 1);
        assertThat(combined.evidence()).isEqualTo(separate.evidence());
        assertThat(reading(combined, 2, "scalar", true).hasTraffic()).isTrue();
        assertThat(reading(combined, 2, "range", true).status()).isEqualTo(Reading.Status.INVALID);
        assertThat(reading(combined, 2, "range", true).detail()).contains("returned a matrix");
        // the refused combined request once, then the separate queries only
        assertThat(combined.requests().get(0)).isEqualTo(separate.requests().get(0) + 1);
        assertThat(combined.requests().subList(1, EVALUATIONS)).isEqualTo(separate.requests().subList(1, EVALUATIONS));
    }
}
