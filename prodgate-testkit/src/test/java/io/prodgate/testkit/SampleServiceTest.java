package io.prodgate.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class SampleServiceTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static Behaviour fast(double errorRate) {
        return Behaviour.defaults().withLatencyMedianSeconds(0.001).withLatencySigma(0).withErrorRate(errorRate);
    }

    @Test
    void countsStatusCodesAndExposesMetrics() throws Exception {
        try (SampleService ok = SampleService.builder().name("ok").behaviour(fast(0)).seed(1).build().start();
                SampleService bad = SampleService.builder().name("bad").behaviour(fast(1)).seed(2).build().start()) {
            assertThat(ok.url()).startsWith("http://127.0.0.1:").endsWith(":" + ok.port());
            assertThat(ok.port()).isNotEqualTo(bad.port());

            for (int i = 0; i < 5; i++) {
                DemoHttp.Reply r = DemoHttp.get(ok.url() + "/api/checkout");
                assertThat(r.status()).isEqualTo(200);
                assertThat(JSON.readTree(r.body()).get("status").asText()).isEqualTo("ok");
            }
            for (int i = 0; i < 3; i++) {
                assertThat(DemoHttp.get(bad.url() + "/api/checkout").status()).isEqualTo(500);
            }

            String okMetrics = DemoHttp.get(ok.url() + "/metrics").body();
            assertThat(okMetrics)
                    .contains("http_requests_total{code=\"200\"} 5.0")
                    .contains("http_requests_total{code=\"500\"} 0.0")
                    .contains("http_request_duration_seconds_bucket{le=\"0.05\"} 5")
                    .contains("http_request_duration_seconds_bucket{le=\"5.0\"} 5")
                    .contains("http_request_duration_seconds_count 5")
                    .contains("build_info{version=\"1.4.2\"} 1")
                    .doesNotContain("native");
            // Separate registries: the two instances do not see each other's requests.
            String badMetrics = DemoHttp.get(bad.url() + "/metrics").body();
            assertThat(badMetrics)
                    .contains("http_requests_total{code=\"500\"} 3.0")
                    .contains("http_requests_total{code=\"200\"} 0.0");
            assertThat(ok.requestCount("200")).isEqualTo(5);
            assertThat(bad.requestCount("500")).isEqualTo(3);
        }
    }

    @Test
    void servesOpenMetricsWhenPrometheusAsksForIt() throws Exception {
        try (SampleService s = SampleService.builder().behaviour(fast(0)).build().start()) {
            DemoHttp.get(s.url() + "/api/checkout");
            DemoHttp.Reply r =
                    DemoHttp.get(s.url() + "/metrics", "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5");
            assertThat(r.contentType()).startsWith("application/openmetrics-text");
            assertThat(r.body())
                    .contains("http_requests_total{code=\"200\"} 1.0")
                    .contains("http_request_duration_seconds_bucket{le=\"+Inf\"} 1")
                    .contains("build_info{version=\"1.4.2\"} 1")
                    .endsWith("# EOF\n");
        }
    }

    @Test
    void healthAndVersionEndpoints() throws Exception {
        try (SampleService s = SampleService.builder().behaviour(fast(0)).build().start()) {
            DemoHttp.Reply version = DemoHttp.get(s.url() + "/version");
            assertThat(version.status()).isEqualTo(200);
            assertThat(version.body()).isEqualTo("{\"version\":\"1.4.2\"}");
            assertThat(version.contentType()).startsWith("application/json");

            DemoHttp.Reply health = DemoHttp.get(s.url() + "/healthz");
            assertThat(health.status()).isEqualTo(200);
            assertThat(health.body()).isEqualTo("{\"status\":\"UP\"}");

            s.setBehaviour(s.behaviour().withHealthy(false));
            assertThat(DemoHttp.get(s.url() + "/healthz").status()).isEqualTo(503);

            assertThat(DemoHttp.get(s.url() + "/nope").status()).isEqualTo(404);
            assertThat(DemoHttp.get(s.url() + "/api/checkout/extra").status()).isEqualTo(404);
            assertThat(DemoHttp.post(s.url() + "/api/checkout", "{}").status()).isEqualTo(405);
        }
    }

    @Test
    void adminEndpointSwitchesVersionAndBehaviourBackAndForth() throws Exception {
        try (SampleService s = SampleService.builder().behaviour(fast(0)).build().start()) {
            // Roll forward to a faulty 1.5.0 ...
            DemoHttp.Reply forward =
                    DemoHttp.post(s.url() + "/admin/behaviour", "{\"version\":\"1.5.0\",\"errorRate\":1.0,\"healthy\":false}");
            assertThat(forward.status()).isEqualTo(200);
            JsonNode applied = JSON.readTree(forward.body());
            assertThat(applied.get("version").asText()).isEqualTo("1.5.0");
            assertThat(applied.get("errorRate").asDouble()).isEqualTo(1.0);
            assertThat(applied.get("latencyMedianSeconds").asDouble()).isEqualTo(0.001);

            assertThat(DemoHttp.get(s.url() + "/version").body()).contains("1.5.0");
            assertThat(DemoHttp.get(s.url() + "/api/checkout").status()).isEqualTo(500);
            assertThat(DemoHttp.get(s.url() + "/healthz").status()).isEqualTo(503);
            assertThat(DemoHttp.get(s.url() + "/metrics").body())
                    .contains("build_info{version=\"1.5.0\"} 1")
                    .doesNotContain("build_info{version=\"1.4.2\"}");

            // ... and roll back.
            DemoHttp.Reply back =
                    DemoHttp.post(s.url() + "/admin/behaviour", "{\"version\":\"1.4.2\",\"errorRate\":0,\"healthy\":true}");
            assertThat(back.status()).isEqualTo(200);
            assertThat(s.behaviour()).isEqualTo(fast(0));
            assertThat(DemoHttp.get(s.url() + "/api/checkout").status()).isEqualTo(200);
            assertThat(DemoHttp.get(s.url() + "/healthz").status()).isEqualTo(200);
            assertThat(DemoHttp.get(s.url() + "/metrics").body())
                    .contains("build_info{version=\"1.4.2\"} 1")
                    .doesNotContain("build_info{version=\"1.5.0\"}");
            assertThat(JSON.readTree(DemoHttp.get(s.url() + "/admin/behaviour").body()).get("version").asText())
                    .isEqualTo("1.4.2");

            // Bad input changes nothing.
            assertThat(DemoHttp.post(s.url() + "/admin/behaviour", "{\"errorRate\":2}").status()).isEqualTo(400);
            assertThat(DemoHttp.post(s.url() + "/admin/behaviour", "{\"erorRate\":0.5}").status()).isEqualTo(400);
            assertThat(DemoHttp.post(s.url() + "/admin/behaviour", "not json").status()).isEqualTo(400);
            assertThat(DemoHttp.post(s.url() + "/admin/behaviour", "{\"healthy\":\"yes\"}").status()).isEqualTo(400);
            assertThat(s.behaviour()).isEqualTo(fast(0));
        }
    }

    @Test
    void latencyIsLognormalAroundTheMedianAndCapped() {
        SampleService s =
                SampleService.builder().random(new Random(42)).maxLatency(Duration.ofMillis(500)).build();
        Behaviour b = Behaviour.defaults().withLatencyMedianSeconds(0.1).withLatencySigma(0.5);
        double[] samples = new double[2001];
        for (int i = 0; i < samples.length; i++) {
            samples[i] = s.sampleLatencyNanos(b) / 1e9;
        }
        java.util.Arrays.sort(samples);
        assertThat(samples[samples.length / 2]).isBetween(0.09, 0.11);
        assertThat(samples[samples.length - 1]).isLessThanOrEqualTo(0.5);
        assertThat(s.sampleLatencyNanos(b.withLatencySigma(0))).isEqualTo(100_000_000L);
        s.close();
    }

    @Test
    void behaviourValidatesAndBuilds() {
        Behaviour b = Behaviour.builder().version("2.0.0").errorRate(0.25).latencyMedianSeconds(0.2).healthy(false).build();
        assertThat(b.version()).isEqualTo("2.0.0");
        assertThat(b.toBuilder().errorRate(0).build()).isEqualTo(b.withErrorRate(0));
        assertThatThrownBy(() -> b.withErrorRate(1.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.withLatencyMedianSeconds(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.withVersion("1.0 beta")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.withLatencySigma(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void closeStopsServerAndWorkerThreads() throws Exception {
        SampleService s = SampleService.builder().name("closing").behaviour(fast(0)).build().start();
        String url = s.url();
        assertThat(DemoHttp.get(url + "/api/checkout").status()).isEqualTo(200);
        s.close();
        s.close(); // idempotent
        assertThatThrownBy(() -> DemoHttp.get(url + "/healthz")).isInstanceOf(java.io.IOException.class);
        assertThat(Thread.getAllStackTraces().keySet())
                .noneMatch(t -> t.getName().startsWith("sample-closing-") && t.isAlive());
        assertThatThrownBy(s::start).isInstanceOf(IllegalStateException.class);
    }
}
