package io.prodgate.core.prometheus;

import static io.prodgate.core.prometheus.PrometheusClientTest.form;
import static io.prodgate.core.prometheus.PrometheusClientTest.json;
import static io.prodgate.core.prometheus.PrometheusClientTest.sample;
import static io.prodgate.core.prometheus.PrometheusClientTest.vector;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okio.Buffer;
import okio.GzipSink;
import okio.Okio;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Several one-number queries in one request, each with the outcome it would have had alone; and no gzip for them. */
class TaggedScalarsTest {
    static final Instant T = Instant.ofEpochSecond(1_700_000_000L);
    static final String TOTAL = "sum(increase(http_requests_total{track=\"canary\"}[5m]))";
    static final String BAD = "sum(increase(http_requests_total{track=\"canary\",code=~\"5..\"}[5m]))";
    static final String BY_CODE = "increase(http_requests_total{track=\"canary\"}[5m])";
    static final String RATIO = "sum(rate(errors[5m])) / sum(rate(requests[5m]))";

    MockWebServer server;
    PrometheusClient prom;

    @BeforeEach
    void start() throws IOException {
        server = new MockWebServer();
        server.start();
        prom = PrometheusClient.builder().baseUrl(server.url("/").toString()).timeout(Duration.ofSeconds(2))
                .retries(1).sleeper(d -> { }).build();
    }

    @AfterEach
    void stop() {
        prom.close();
        server.close();
    }

    static Map<String, String> queries() {
        Map<String, String> q = new LinkedHashMap<>();
        q.put("0/canary/total", TOTAL);
        q.put("0/canary/events", BAD);
        q.put("1/canary/total", BY_CODE);
        q.put("2/canary/total", RATIO);
        return q;
    }

    static String tag(String tag) {
        return "\"prodgate_figure\":\"" + tag + "\"";
    }

    @Test
    void oneRequestGivesEachQueryTheOutcomeItWouldHaveHadAlone() throws Exception {
        // the events query has no series, the by-code one two, the ratio is 0/0
        server.enqueue(json(200, vector(sample(tag("0/canary/total"), "1200"),
                sample(tag("1/canary/total") + ",\"code\":\"200\"", "1100"),
                sample("\"code\":\"500\"," + tag("1/canary/total"), "100"),
                sample(tag("2/canary/total"), "NaN"))));
        TaggedScalars tagged = prom.scalars(queries(), T);
        RecordedRequest request = server.takeRequest();
        assertThat(form(request).get("query")).isEqualTo(
                "label_replace((" + TOTAL + "\n), \"prodgate_figure\", \"0/canary/total\", \"\", \"\") or "
                        + "label_replace((" + BAD + "\n), \"prodgate_figure\", \"0/canary/events\", \"\", \"\") or "
                        + "label_replace((" + BY_CODE + "\n), \"prodgate_figure\", \"1/canary/total\", \"\", \"\") or "
                        + "label_replace((" + RATIO + "\n), \"prodgate_figure\", \"2/canary/total\", \"\", \"\")");
        assertThat(tagged.status()).isEqualTo(TaggedScalars.Status.ANSWERED);
        assertThat(tagged.tags()).containsExactlyInAnyOrder("0/canary/total", "0/canary/events", "1/canary/total",
                "2/canary/total");

        // the same series asked one by one
        server.enqueue(json(200, vector(sample("", "1200"))));
        server.enqueue(json(200, vector()));
        server.enqueue(json(200, vector(sample("\"code\":\"200\"", "1100"), sample("\"code\":\"500\"", "100"))));
        server.enqueue(json(200, vector(sample("", "NaN"))));
        assertThat(tagged.outcome("0/canary/total")).isEqualTo(prom.scalar(TOTAL, T))
                .isInstanceOf(ScalarOutcome.Value.class);
        assertThat(tagged.outcome("0/canary/events")).isEqualTo(prom.scalar(BAD, T))
                .isInstanceOf(ScalarOutcome.Empty.class);
        ScalarOutcome byCode = prom.scalar(BY_CODE, T);
        assertThat(tagged.outcome("1/canary/total")).isEqualTo(byCode).isInstanceOf(ScalarOutcome.TooManySeries.class);
        assertThat(tagged.outcome("1/canary/total").describe()).isEqualTo(byCode.describe())
                .doesNotContain("prodgate_figure");
        assertThat(tagged.outcome("2/canary/total")).isEqualTo(prom.scalar(RATIO, T))
                .isInstanceOf(ScalarOutcome.NotFinite.class);
        assertThatThrownBy(() -> tagged.outcome("9/canary/total")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aQueryThatCannotBeWrappedMakesTheCombinationUnsupported() {
        server.enqueue(json(400, "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"expected type instant"
                + " vector in call to function \\\"label_replace\\\", got scalar\"}"));
        TaggedScalars tagged = prom.scalars(queries(), T);
        assertThat(tagged.status()).isEqualTo(TaggedScalars.Status.UNSUPPORTED);
        assertThat(tagged.settled()).isFalse();
        assertThat(tagged.combined()).isInstanceOf(PrometheusError.class);
        assertThatThrownBy(() -> tagged.outcome("0/canary/total")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void anExecutionErrorMayBeOneQuerysSoTheCombinationIsRefusedThisTime() {
        server.enqueue(json(422, "{\"status\":\"error\",\"errorType\":\"execution\",\"error\":\"found duplicate"
                + " series for the match group\"}"));
        assertThat(prom.scalars(queries(), T).status()).isEqualTo(TaggedScalars.Status.REFUSED);
    }

    @Test
    void seriesWithoutTheTagCannotBeToldApart() {
        server.enqueue(json(200, vector(sample("", "1"))));
        assertThat(prom.scalars(queries(), T).status()).isEqualTo(TaggedScalars.Status.UNSUPPORTED);
    }

    @Test
    void aFailedRequestIsEachQuerysFailureToldAboutItsOwnQuery() {
        for (int i = 0; i < 2; i++) {
            server.enqueue(json(503, "{\"status\":\"error\",\"errorType\":\"unavailable\",\"error\":\"overloaded\"}"));
        }
        TaggedScalars tagged = prom.scalars(queries(), T);
        assertThat(tagged.status()).isEqualTo(TaggedScalars.Status.FAILED);
        ScalarOutcome total = tagged.outcome("0/canary/total");
        assertThat(total).isInstanceOf(PrometheusError.class);
        assertThat(total.query()).isEqualTo(TOTAL);
        assertThat(total.attempts()).isEqualTo(2);
        assertThat(total.describe()).contains(TOTAL, "overloaded", "HTTP 503").doesNotContain("label_replace");
    }

    @Test
    void tagsAreNamesNotPromQL() {
        assertThatThrownBy(() -> prom.scalars(Map.of("a\", \"b", TOTAL), T))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> prom.scalars(Map.of(), T)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void instantQueriesAskForTheirSmallAnswersUncompressed() throws Exception {
        server.enqueue(json(200, vector(sample("", "1"))));
        assertThat(prom.scalar("up", T)).isInstanceOf(ScalarOutcome.Value.class);
        assertThat(server.takeRequest().getHeaders().get("Accept-Encoding")).isEqualTo("identity");

        server.enqueue(json(200, vector(sample(tag("a"), "1"))));
        prom.scalars(Map.of("a", "up"), T);
        assertThat(server.takeRequest().getHeaders().get("Accept-Encoding")).isEqualTo("identity");

        // a range query's answer may be large: OkHttp asks for gzip, and inflates it
        server.enqueue(json(200, "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[]}}"));
        prom.rangeQuery("up", T, T.plusSeconds(60), Duration.ofSeconds(15));
        assertThat(server.takeRequest().getHeaders().get("Accept-Encoding")).isEqualTo("gzip");
    }

    @Test
    void anAnswerGzippedAnywayIsInflated() throws Exception {
        Buffer gzipped = new Buffer();
        try (var sink = Okio.buffer(new GzipSink(gzipped))) {
            sink.writeUtf8(vector(sample("", "42")));
        }
        server.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
                .addHeader("Content-Encoding", "gzip").body(gzipped).build());
        ScalarOutcome outcome = prom.scalar("up", T);
        assertThat(outcome).isInstanceOf(ScalarOutcome.Value.class);
        assertThat(((ScalarOutcome.Value) outcome).value()).isEqualTo(42);
    }
}
