package io.prodgate.core.prometheus;

import static io.prodgate.core.prometheus.PrometheusClientTest.T;
import static io.prodgate.core.prometheus.PrometheusClientTest.json;
import static io.prodgate.core.prometheus.PrometheusClientTest.sample;
import static io.prodgate.core.prometheus.PrometheusClientTest.vector;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Instant;
import java.util.Map;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ScalarQueryTest {
    MockWebServer server;
    PrometheusClient prom;

    @BeforeEach
    void start() throws IOException {
        server = new MockWebServer();
        server.start();
        prom = PrometheusClient.builder().baseUrl(server.url("/").toString()).sleeper(d -> { }).build();
    }

    @AfterEach
    void stop() {
        prom.close();
        server.close();
    }

    ScalarOutcome answer(String body) {
        server.enqueue(json(200, body));
        return prom.scalar("error_ratio", T);
    }

    @Test
    void oneSampleIsAValue() {
        ScalarOutcome outcome = answer(vector(sample("\"job\":\"api\"", "0.0125")));
        assertThat(outcome).isEqualTo(new ScalarOutcome.Value(0.0125, Map.of("job", "api"),
                Instant.ofEpochSecond(1_700_000_000L, 123_000_000), "error_ratio", 1));
        assertThat(outcome.describe()).isEqualTo("query `error_ratio` = 0.0125 for {job=\"api\"}");
    }

    @Test
    void scalarResultIsAValueWithoutLabels() {
        ScalarOutcome outcome = answer(
                "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1700000000.5,\"3\"]}}");
        assertThat(outcome).isEqualTo(new ScalarOutcome.Value(3.0, Map.of(), T, "error_ratio", 1));
    }

    @Test
    void noSeriesIsEmpty() {
        ScalarOutcome outcome = answer(vector());
        assertThat(outcome).isEqualTo(new ScalarOutcome.Empty("error_ratio", 1));
        assertThat(outcome.describe()).startsWith("query `error_ratio` returned no series");
    }

    @Test
    void nanIsNotFinite() {
        ScalarOutcome outcome = answer(vector(sample("", "NaN")));
        assertThat(outcome).isInstanceOfSatisfying(ScalarOutcome.NotFinite.class,
                n -> assertThat(n.value()).isNaN());
        assertThat(outcome.describe()).isEqualTo("query `error_ratio` returned NaN (often a ratio over zero traffic)");
    }

    @Test
    void infinityIsNotFinite() {
        ScalarOutcome outcome = answer(vector(sample("\"job\":\"api\"", "+Inf")));
        assertThat(outcome).isEqualTo(
                new ScalarOutcome.NotFinite(Double.POSITIVE_INFINITY, Map.of("job", "api"), "error_ratio", 1));
        assertThat(outcome.describe()).contains("returned +Inf for {job=\"api\"}");
    }

    @Test
    void severalSeriesAreTooMany() {
        String[] items = new String[7];
        for (int i = 0; i < items.length; i++) {
            items[i] = sample("\"pod\":\"api-" + i + "\"", "1");
        }
        ScalarOutcome outcome = answer(vector(items));
        assertThat(outcome).isInstanceOfSatisfying(ScalarOutcome.TooManySeries.class, t -> {
            assertThat(t.count()).isEqualTo(7);
            assertThat(t.labelSets()).hasSize(5).first().isEqualTo(Map.of("pod", "api-0"));
        });
        assertThat(outcome.describe()).isEqualTo("query `error_ratio` returned 7 series where one number was expected"
                + " (aggregate them, e.g. with sum(...)): {pod=\"api-0\"}, {pod=\"api-1\"}, {pod=\"api-2\"},"
                + " {pod=\"api-3\"}, {pod=\"api-4\"}, ...");
    }

    @Test
    void rangeVectorIsUnexpectedShape() {
        ScalarOutcome outcome = answer("{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":["
                + "{\"metric\":{},\"values\":[[1,\"1\"],[2,\"2\"]]}]}}");
        assertThat(outcome).isInstanceOfSatisfying(ScalarOutcome.UnexpectedShape.class,
                u -> assertThat(u.resultType()).isEqualTo(ResultType.MATRIX));
    }

    @Test
    void failuresPassThrough() {
        server.enqueue(json(400, "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"parse error\"}"));
        assertThat(prom.scalar("sum(", T)).isInstanceOfSatisfying(PrometheusError.class,
                e -> assertThat(e.query()).isEqualTo("sum("));
    }
}
