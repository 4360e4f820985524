package io.prodgate.core.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.ConnectionSpec;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

/**
 * A client of an http Prometheus sets up no TLS (a short CLI run's start-up would pay for it); one of an https
 * Prometheus keeps OkHttp's defaults.
 */
class CleartextClientTest {
    @Test
    void anHttpUrlGetsACleartextOnlyClientThatDoesNotFollowRedirectsToHttps() {
        OkHttpClient http = PrometheusClient.ownBuilder(HttpUrl.get("http://prometheus:9090/")).build();
        assertThat(http.connectionSpecs()).containsExactly(ConnectionSpec.CLEARTEXT);
        assertThat(http.followSslRedirects()).isFalse();
        assertThat(http.x509TrustManager()).isNull();
    }

    @Test
    void anHttpsUrlKeepsTheDefaultTlsSpecs() {
        OkHttpClient http = PrometheusClient.ownBuilder(HttpUrl.get("https://prometheus/")).build();
        assertThat(http.connectionSpecs()).isEqualTo(new OkHttpClient().connectionSpecs())
                .contains(ConnectionSpec.MODERN_TLS);
        assertThat(http.followSslRedirects()).isTrue();
        assertThat(http.x509TrustManager()).isNotNull();
    }

    @Test
    void aRedirectToHttpsIsASourceErrorNotACrash() throws Exception {
        try (MockWebServer server = new MockWebServer()) {
            server.start();
            server.enqueue(new MockResponse.Builder().code(308)
                    .addHeader("Location", "https://127.0.0.1:" + server.getPort() + "/api/v1/query").build());
            try (PrometheusClient client = PrometheusClient.builder().baseUrl(server.url("/").toString()).retries(0)
                    .build()) {
                QueryOutcome outcome = client.instantQuery("up", Instant.parse("2026-11-24T10:00:00Z"));
                assertThat(outcome).isInstanceOf(HttpError.class);
                assertThat(outcome.describe()).contains("308");
            }
        }
    }
}
