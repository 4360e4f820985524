package io.prodgate.core.canary;

import static org.assertj.core.api.Assertions.assertThat;

import io.prodgate.core.prometheus.PrometheusClient;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Counts that cannot be counts are invalid evidence, never zero; a query Prometheus cannot parse is invalid at once. */
class PrometheusEvidenceTest {
    static final Instant T0 = CanaryGateTest.T0;
    MockWebServer server;
    PrometheusClient client;

    @BeforeEach
    void start() throws Exception {
        server = new MockWebServer();
        server.start();
        client = PrometheusClient.builder().baseUrl(server.url("/").toString()).sleeper(d -> { }).build();
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    /** Answers each query with {@code value(query, time)}: a number, or a whole error response when it starts with {. */
    void answer(BiFunction<String, Long, String> value) {
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                Map<String, String> form = new java.util.HashMap<>();
                for (String kv : request.getBody().utf8().split("&")) {
                    String[] p = kv.split("=", 2);
                    form.put(p[0], URLDecoder.decode(p.length > 1 ? p[1] : "", StandardCharsets.UTF_8));
                }
                String v = value.apply(form.get("query"), (long) Double.parseDouble(form.get("time")));
                if (v.startsWith("{")) {
                    return new MockResponse.Builder().code(400).addHeader("Content-Type", "application/json").body(v)
                            .build();
                }
                return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
                        .body("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},"
                                + "\"value\":[" + form.get("time") + ",\"" + v + "\"]}]}}")
                        .build();
            }
        });
    }

    Reading canary(Instant from, Instant at) {
        CanarySpec spec = Specs.spec(List.of(Specs.availability()), EvidencePolicy.inconclusive());
        return new PrometheusEvidence(client).collect(spec, T0, from, at).get(0).canary();
    }

    @Test
    void aNegativeCountIsInvalidNotZero() {
        answer((q, t) -> q.startsWith("bad") ? "-1" : "1000");
        Reading r = canary(T0, T0.plusSeconds(60));
        assertThat(r.status()).isEqualTo(Reading.Status.INVALID);
        assertThat(r.detail()).contains("bad query answered -1.0", "cannot be negative");
    }

    @Test
    void moreBadEventsThanEventsIsInvalid() {
        answer((q, t) -> q.startsWith("bad") ? "1200" : "1000");
        assertThat(canary(T0, T0.plusSeconds(60)).detail()).contains("more events (1200.0) than the total query");
    }

    @Test
    void aCountThatGoesDownBeyondCounterResetsIsInvalid() {
        long minute = T0.getEpochSecond() + 60;
        answer((q, t) -> q.startsWith("bad") ? (t <= minute ? "50" : "10") : (t <= minute ? "1000" : "2000"));
        Reading r = canary(T0.plusSeconds(60), T0.plusSeconds(120));
        assertThat(r.status()).isEqualTo(Reading.Status.INVALID);
        assertThat(r.detail()).contains("bad count went down from 50.0 to 10.0");
    }

    @Test
    void extrapolationJitterIsNotADrop() {
        long minute = T0.getEpochSecond() + 60;
        answer((q, t) -> q.startsWith("bad") ? (t <= minute ? "50.4" : "50.1") : (t <= minute ? "1000" : "2000"));
        Reading r = canary(T0.plusSeconds(60), T0.plusSeconds(120));
        assertThat(r.ok()).isTrue();
        assertThat(r.bad()).isZero();
        assertThat(r.total()).isEqualTo(1000);
    }

    @Test
    void aStoreThatRefusesTheCombinedQueryIsAskedOneQueryAtATimeFromThenOn() {
        java.util.List<String> asked = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                String body = URLDecoder.decode(request.getBody().utf8(), StandardCharsets.UTF_8);
                String query = body.substring(body.indexOf("query=") + 6, body.indexOf("&time="));
                asked.add(query);
                if (query.startsWith("label_replace")) {
                    // what Prometheus says when a wrapped query gives a scalar
                    return new MockResponse.Builder().code(400).addHeader("Content-Type", "application/json")
                            .body("{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"expected type"
                                    + " instant vector in call to function \\\"label_replace\\\", got scalar\"}").build();
                }
                long t = (long) Double.parseDouble(body.substring(body.indexOf("&time=") + 6));
                String value = query.startsWith("bad") ? "5" : String.valueOf(t - T0.getEpochSecond());
                return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
                        .body("{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[" + t
                                + ",\"" + value + "\"]}}").build();
            }
        });
        CanarySpec spec = Specs.spec(List.of(Specs.availability()), EvidencePolicy.inconclusive());
        PrometheusEvidence evidence = new PrometheusEvidence(client);
        Reading first = evidence.collect(spec, T0, T0, T0.plusSeconds(60)).get(0).canary();
        assertThat(first.ok()).isTrue();
        assertThat(first.total()).isEqualTo(60);
        assertThat(first.bad()).isEqualTo(5);
        assertThat(asked).hasSize(5); // the refused combined query, then total and bad of both sides
        assertThat(asked.get(0)).startsWith("label_replace");
        asked.clear();
        SloEvidence second = evidence.collect(spec, T0, T0.plusSeconds(60), T0.plusSeconds(120)).get(0);
        assertThat(second.canary().total()).isEqualTo(60);
        assertThat(second.canary().bad()).isZero();
        assertThat(second.baseline().ok()).isTrue();
        assertThat(asked).hasSize(4).noneMatch(q -> q.startsWith("label_replace"));
    }

    @Test
    void aCombinedRequestThatFailsIsASourceErrorOfEachSide() {
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return new MockResponse.Builder().code(503).body("upstream connect error").build();
            }
        });
        List<SloEvidence> evidence = new PrometheusEvidence(client).collect(Specs.twoSlos(), T0, T0, T0.plusSeconds(60));
        assertThat(server.getRequestCount()).isEqualTo(4); // one request and its three retries
        for (SloEvidence slo : evidence) {
            for (Reading r : List.of(slo.canary(), slo.baseline())) {
                assertThat(r.status()).isEqualTo(Reading.Status.SOURCE_ERROR);
                assertThat(r.detail()).endsWith("answered HTTP 503 (after 4 attempts): upstream connect error");
            }
        }
    }

    @Test
    void aQueryPrometheusCannotParseIsInvalidAtOnce() {
        answer((q, t) -> "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"parse error: unexpected }\"}");
        Reading r = canary(T0, T0.plusSeconds(60));
        assertThat(r.status()).isEqualTo(Reading.Status.INVALID);
        assertThat(r.detail()).contains("bad_data", "parse error");
    }
}
