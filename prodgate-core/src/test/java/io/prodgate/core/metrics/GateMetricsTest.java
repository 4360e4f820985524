package io.prodgate.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.prodgate.core.verdict.Verdict;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class GateMetricsTest {
    static final Instant NOW = Instant.parse("2026-11-24T12:00:00Z");
    final HttpClient http = HttpClient.newHttpClient();

    GateMetrics metrics() {
        GateMetrics m = new GateMetrics(Clock.fixed(NOW, ZoneOffset.UTC));
        m.verdict("checkout", "canary", Verdict.PASS);
        m.verdict("checkout", "canary", Verdict.FAIL);
        m.verdict("checkout", "canary", Verdict.FAIL);
        m.bake("checkout", Verdict.FAIL, Duration.ofSeconds(95));
        m.rollback("checkout", true, Duration.ofSeconds(42), NOW.minus(Duration.ofHours(3)));
        m.rollback("checkout", false, Duration.ofSeconds(400), NOW.minus(Duration.ofHours(1)));
        return m;
    }

    String get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void servesVerdictsBakesRollbacksAndProofAge() throws Exception {
        try (HTTPServer server = metrics().serve("127.0.0.1", 0)) {
            String text = get("http://127.0.0.1:" + server.getPort() + "/metrics");
            assertThat(text).contains(
                    "prodgate_verdicts_total{gate=\"canary\",mode=\"blocking\",service=\"checkout\",verdict=\"FAIL\"} 2.0",
                    "prodgate_verdicts_total{gate=\"canary\",mode=\"blocking\",service=\"checkout\",verdict=\"PASS\"} 1.0",
                    "prodgate_bake_duration_seconds_bucket{service=\"checkout\",verdict=\"FAIL\",le=\"120.0\"} 1",
                    "prodgate_rollback_duration_seconds_count{proven=\"false\",service=\"checkout\"} 1",
                    "prodgate_rollback_proof_age_seconds{service=\"checkout\"} 10800.0");
            // the failed rehearsal an hour ago is no proof: the newest proof stays the one of three hours ago
            assertThat(text).contains("prodgate_rollback_proof_timestamp_seconds{service=\"checkout\"} "
                    + (double) NOW.minus(Duration.ofHours(3)).getEpochSecond());
        }
    }

    @Test
    void pushesToARealPushgateway() throws Exception {
        Path binary = Path.of("/usr/bin/prometheus-pushgateway");
        assumeTrue(Files.isExecutable(binary), "install the Debian package prometheus-pushgateway");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Process gateway = new ProcessBuilder(binary.toString(), "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            String base = "http://127.0.0.1:" + port;
            for (int i = 0; i < 100; i++) {
                try {
                    get(base + "/-/ready");
                    break;
                } catch (java.io.IOException notYet) {
                    Thread.sleep(100);
                }
            }
            metrics().push(base, "prodgate-ci");
            assertThat(get(base + "/metrics")).contains("prodgate_verdicts_total{", "job=\"prodgate-ci\"",
                    "verdict=\"FAIL\"} 2");
        } finally {
            gateway.destroy();
            gateway.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
