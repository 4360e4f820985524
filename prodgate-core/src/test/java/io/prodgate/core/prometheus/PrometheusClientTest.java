package io.prodgate.core.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PrometheusClientTest {
    static final Instant T = Instant.ofEpochSecond(1_700_000_000L, 500_000_000);

    MockWebServer server;
    final List<Duration> sleeps = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        server = new MockWebServer();
        server.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    PrometheusClient.Builder client() {
        return PrometheusClient.builder()
                .baseUrl(server.url("/").toString())
                .timeout(Duration.ofSeconds(2))
                .sleeper(sleeps::add);
    }

    static MockResponse json(int code, String body) {
        return new MockResponse.Builder().code(code).addHeader("Content-Type", "application/json").body(body).build();
    }

    static String vector(String... items) {
        return "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[" + String.join(",", items)
                + "]}}";
    }

    static String sample(String labels, String value) {
        return "{\"metric\":{" + labels + "},\"value\":[1700000000.123,\"" + value + "\"]}";
    }

    static Map<String, String> form(RecordedRequest request) {
        Map<String, String> form = new LinkedHashMap<>();
        for (String pair : request.getBody().utf8().split("&")) {
            String[] kv = pair.split("=", 2);
            form.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8), URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
        }
        return form;
    }

    // ---- success parsing ----

    @Test
    void parsesVector() {
        server.enqueue(json(200, vector(sample("\"job\":\"api\",\"code\":\"500\"", "0.25"), sample("\"job\":\"web\"", "1e-3"))));
        try (PrometheusClient prom = client().build()) {
            QueryOutcome outcome = prom.instantQuery("up", T);
            assertThat(outcome).isInstanceOf(QueryOutcome.Success.class);
            QueryOutcome.Success success = (QueryOutcome.Success) outcome;
            assertThat(success.resultType()).isEqualTo(ResultType.VECTOR);
            assertThat(success.attempts()).isEqualTo(1);
            assertThat(success.series()).hasSize(2);
            Series first = success.series().get(0);
            assertThat(first.labels()).containsExactly(Map.entry("code", "500"), Map.entry("job", "api"));
            assertThat(first.labelString()).isEqualTo("{code=\"500\", job=\"api\"}");
            assertThat(first.samples()).containsExactly(
                    new Sample(Instant.ofEpochSecond(1_700_000_000L, 123_000_000), 0.25));
            assertThat(success.series().get(1).samples().get(0).value()).isEqualTo(0.001);
        }
    }

    @Test
    void parsesMatrixFromRangeQueryIncludingNanAndInfinities() throws Exception {
        server.enqueue(json(200, "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":["
                + "{\"metric\":{\"job\":\"api\"},\"values\":[[1700000000,\"1\"],[1700000060,\"NaN\"],"
                + "[1700000120,\"+Inf\"],[1700000180,\"-Inf\"]]}]},\"warnings\":[\"partial response\"]}"));
        try (PrometheusClient prom = client().build()) {
            QueryOutcome outcome = prom.rangeQuery("rate(x[5m])", Instant.ofEpochSecond(1_700_000_000L),
                    Instant.ofEpochSecond(1_700_000_180L), Duration.ofMillis(60_500));
            QueryOutcome.Success success = (QueryOutcome.Success) outcome;
            assertThat(success.resultType()).isEqualTo(ResultType.MATRIX);
            assertThat(success.warnings()).containsExactly("partial response");
            assertThat(success.series().get(0).samples()).extracting(Sample::value)
                    .containsExactly(1.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY);
            assertThat(success.series().get(0).samples().get(3).time())
                    .isEqualTo(Instant.ofEpochSecond(1_700_000_180L));
        }
        RecordedRequest request = server.takeRequest(1, TimeUnit.SECONDS);
        assertThat(request.getMethod()).isEqualTo("POST");
        assertThat(request.getUrl().encodedPath()).isEqualTo("/api/v1/query_range");
        assertThat(form(request)).containsExactly(Map.entry("query", "rate(x[5m])"), Map.entry("start", "1700000000"),
                Map.entry("end", "1700000180"), Map.entry("step", "60.5"));
    }

    @Test
    void parsesScalarResult() {
        server.enqueue(json(200,
                "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1700000000.5,\"42\"]}}"));
        try (PrometheusClient prom = client().build()) {
            QueryOutcome.Success success = (QueryOutcome.Success) prom.instantQuery("scalar(42)", T);
            assertThat(success.resultType()).isEqualTo(ResultType.SCALAR);
            assertThat(success.series()).containsExactly(new Series(Map.of(), List.of(new Sample(T, 42.0))));
        }
    }

    // ---- request shape ----

    @Test
    void sendsFormParametersToThePathUnderTheBaseUrl() throws Exception {
        server.enqueue(json(200, vector()));
        String promql = "sum(rate(http_requests_total{code=~\"5..\", job=\"a b&c\"}[5m])) / 2";
        try (PrometheusClient prom = client().baseUrl(server.url("/prometheus").toString())
                .headers(Map.of("X-Scope-OrgID", "tenant-1")).build()) {
            assertThat(prom.instantQuery(promql, T)).isInstanceOf(QueryOutcome.Success.class);
        }
        RecordedRequest request = server.takeRequest(1, TimeUnit.SECONDS);
        assertThat(request.getMethod()).isEqualTo("POST");
        assertThat(request.getUrl().encodedPath()).isEqualTo("/prometheus/api/v1/query");
        assertThat(request.getHeaders().get("Content-Type")).startsWith("application/x-www-form-urlencoded");
        assertThat(request.getHeaders().get("X-Scope-OrgID")).isEqualTo("tenant-1");
        assertThat(request.getHeaders().get("Authorization")).isNull();
        assertThat(form(request)).containsExactly(Map.entry("query", promql), Map.entry("time", "1700000000.5"));
    }

    // ---- failures ----

    @Test
    void closedPortIsUnreachableAfterAllAttempts() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        try (PrometheusClient prom = client().baseUrl("http://127.0.0.1:" + port).build()) {
            QueryOutcome outcome = prom.instantQuery("up", T);
            assertThat(outcome).isInstanceOf(Unreachable.class);
            Unreachable unreachable = (Unreachable) outcome;
            assertThat(unreachable.attempts()).isEqualTo(4);
            assertThat(unreachable.query()).isEqualTo("up");
            assertThat(unreachable.describe()).isEqualTo("Prometheus at http://127.0.0.1:" + port
                    + " is unreachable: connection refused (after 4 attempts)");
        }
        // Doubling from the default 250 ms.
        assertThat(sleeps).containsExactly(Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofMillis(1000));
    }

    @Test
    void unknownHostIsUnreachable() {
        try (PrometheusClient prom = client().baseUrl("http://prodgate-no-such-host.invalid:9090").retries(0).build()) {
            QueryOutcome outcome = prom.instantQuery("up", T);
            assertThat(outcome).isInstanceOf(Unreachable.class);
            assertThat(outcome.describe()).contains("unknown host prodgate-no-such-host.invalid", "after 1 attempt)");
        }
    }

    @Test
    void serverErrorIsRetriedUntilSuccess() {
        server.enqueue(json(500, "oops"));
        server.enqueue(new MockResponse.Builder().code(502).body("<html>bad gateway</html>").build());
        server.enqueue(json(200, vector(sample("", "1"))));
        try (PrometheusClient prom = client().build()) {
            QueryOutcome outcome = prom.instantQuery("up", T);
            assertThat(outcome).isInstanceOf(QueryOutcome.Success.class);
            assertThat(outcome.attempts()).isEqualTo(3);
        }
        assertThat(server.getRequestCount()).isEqualTo(3);
        assertThat(sleeps).hasSize(2);
    }

    @Test
    void unavailableWithPrometheusBodyIsRetriedThenReportedAsPrometheusError() {
        for (int i = 0; i < 4; i++) {
            server.enqueue(json(503, "{\"status\":\"error\",\"errorType\":\"unavailable\",\"error\":\"too many queries\"}"));
        }
        try (PrometheusClient prom = client().build()) {
            QueryOutcome outcome = prom.instantQuery("up", T);
            assertThat(outcome).isInstanceOf(PrometheusError.class);
            PrometheusError error = (PrometheusError) outcome;
            assertThat(error.httpStatus()).isEqualTo(503);
            assertThat(error.errorType()).isEqualTo("unavailable");
            assertThat(error.error()).isEqualTo("too many queries");
            assertThat(error.attempts()).isEqualTo(4);
        }
        assertThat(server.getRequestCount()).isEqualTo(4);
    }

    @Test
    void unavailableWithoutPrometheusBodyIsHttpErrorAfterRetries() {
        server.enqueue(new MockResponse.Builder().code(503).body("<html>\n  <body>upstream   down</body></html>").build());
        server.enqueue(new MockResponse.Builder().code(503).body("<html>\n  <body>upstream   down</body></html>").build());
        try (PrometheusClient prom = client().retries(1).build()) {
            QueryOutcome outcome = prom.instantQuery("up", T);
            assertThat(outcome).isInstanceOf(HttpError.class);
            HttpError error = (HttpError) outcome;
            assertThat(error.status()).isEqualTo(503);
            assertThat(error.attempts()).isEqualTo(2);
            assertThat(error.bodyExcerpt()).isEqualTo("<html> <body>upstream down</body></html>");
            assertThat(error.describe()).startsWith("Prometheus at " + prom.endpoint() + " answered HTTP 503 (after 2 attempts)");
        }
        assertThat(server.getRequestCount()).isEqualTo(2);
    }

    @Test
    void tooManyRequestsIsRetriedHonouringRetryAfterUpToTheCap() {
        server.enqueue(new MockResponse.Builder().code(429).addHeader("Retry-After", "2").body("slow down").build());
        server.enqueue(new MockResponse.Builder().code(408).addHeader("Retry-After", "60").body("timeout").build());
        server.enqueue(json(200, vector()));
        try (PrometheusClient prom = client().maxBackoff(Duration.ofSeconds(5)).build()) {
            assertThat(prom.instantQuery("up", T)).isInstanceOf(QueryOutcome.Success.class);
        }
        assertThat(sleeps).containsExactly(Duration.ofSeconds(2), Duration.ofSeconds(5));
    }

    @Test
    void badQueryIsFinalAndTyped() throws Exception {
        server.enqueue(json(400, "{\"status\":\"error\",\"errorType\":\"bad_data\","
                + "\"error\":\"invalid parameter \\\"query\\\": 1:4: parse error: unexpected end of input\"}"));
        try (PrometheusClient prom = client().build()) {
            QueryOutcome outcome = prom.instantQuery("up{", T);
            assertThat(outcome).isInstanceOf(PrometheusError.class);
            PrometheusError error = (PrometheusError) outcome;
            assertThat(error.errorType()).isEqualTo("bad_data");
            assertThat(error.httpStatus()).isEqualTo(400);
            assertThat(error.attempts()).isEqualTo(1);
            assertThat(error.describe()).isEqualTo("Prometheus at " + prom.endpoint() + " rejected query `up{` with"
                    + " bad_data: invalid parameter \"query\": 1:4: parse error: unexpected end of input"
                    + " (HTTP 400, after 1 attempt)");
        }
        assertThat(server.getRequestCount()).isEqualTo(1);
        assertThat(sleeps).isEmpty();
    }

    @Test
    void otherClientErrorsAreNotRetried() {
        server.enqueue(json(422, "{\"status\":\"error\",\"errorType\":\"execution\",\"error\":\"many-to-many matching\"}"));
        server.enqueue(new MockResponse.Builder().code(404).body("404 page not found").build());
        try (PrometheusClient prom = client().build()) {
            assertThat(prom.instantQuery("a / b", T)).isInstanceOfSatisfying(PrometheusError.class,
                    e -> assertThat(e.errorType()).isEqualTo("execution"));
            assertThat(prom.instantQuery("a", T)).isInstanceOfSatisfying(HttpError.class, e -> {
                assertThat(e.status()).isEqualTo(404);
                assertThat(e.bodyExcerpt()).isEqualTo("404 page not found");
                assertThat(e.attempts()).isEqualTo(1);
            });
        }
        assertThat(server.getRequestCount()).isEqualTo(2);
    }

    @Test
    void errorDocumentWithStatus200IsPrometheusError() {
        server.enqueue(json(200, "{\"status\":\"error\",\"errorType\":\"timeout\",\"error\":\"query timed out\"}"));
        try (PrometheusClient prom = client().build()) {
            assertThat(prom.instantQuery("up", T)).isInstanceOfSatisfying(PrometheusError.class,
                    e -> assertThat(e.errorType()).isEqualTo("timeout"));
        }
    }

    @Test
    void nonJsonBodyIsMalformed() {
        server.enqueue(new MockResponse.Builder().code(200).body("<!doctype html><title>Grafana</title>").build());
        try (PrometheusClient prom = client().build()) {
            QueryOutcome outcome = prom.instantQuery("up", T);
            assertThat(outcome).isInstanceOf(MalformedBody.class);
            MalformedBody malformed = (MalformedBody) outcome;
            assertThat(malformed.reason()).startsWith("body is not JSON");
            assertThat(malformed.bodyExcerpt()).isEqualTo("<!doctype html><title>Grafana</title>");
            assertThat(malformed.describe()).startsWith("Prometheus at " + prom.endpoint() + " sent an unusable answer");
        }
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void jsonWithoutExpectedFieldsIsMalformed() {
        server.enqueue(json(200, "{\"status\":\"success\"}"));
        server.enqueue(json(200, "{\"data\":{}}"));
        server.enqueue(json(200, "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},\"value\":[1,\"abc\"]}]}}"));
        server.enqueue(json(200, "{\"status\":\"success\",\"data\":{\"resultType\":\"string\",\"result\":[1,\"abc\"]}}"));
        server.enqueue(json(200, "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},\"histogram\":[1,{}]}]}}"));
        try (PrometheusClient prom = client().build()) {
            assertThat(List.of(prom.instantQuery("up", T), prom.instantQuery("up", T), prom.instantQuery("up", T),
                    prom.instantQuery("up", T), prom.instantQuery("up", T)))
                    .allSatisfy(o -> assertThat(o).isInstanceOf(MalformedBody.class))
                    .extracting(o -> ((MalformedBody) o).reason())
                    .containsExactly("no \"data\" object", "no \"status\" field", "bad sample value \"abc\"",
                            "unsupported resultType \"string\"",
                            "native histogram samples are not supported; reduce them in PromQL, e.g. histogram_quantile(...)");
        }
    }

    @Test
    void slowResponseTimesOutAndIsRetried() {
        server.enqueue(new MockResponse.Builder().headersDelay(2, TimeUnit.SECONDS).body(vector()).build());
        server.enqueue(new MockResponse.Builder().bodyDelay(2, TimeUnit.SECONDS).body(vector()).build());
        try (PrometheusClient prom = client().timeout(Duration.ofMillis(200)).retries(1).build()) {
            QueryOutcome outcome = prom.instantQuery("up", T);
            assertThat(outcome).isInstanceOf(Unreachable.class);
            assertThat(((Unreachable) outcome).reason()).isEqualTo("timed out after 200ms");
            assertThat(outcome.attempts()).isEqualTo(2);
        }
        assertThat(server.getRequestCount()).isEqualTo(2);
    }

    @Test
    void interruptedSleepStopsRetrying() {
        server.enqueue(json(500, "a"));
        server.enqueue(json(500, "b"));
        try (PrometheusClient prom = client().sleeper(d -> {
            throw new InterruptedException();
        }).build()) {
            QueryOutcome outcome = prom.instantQuery("up", T);
            assertThat(outcome).isInstanceOfSatisfying(HttpError.class, e -> assertThat(e.attempts()).isEqualTo(1));
            assertThat(Thread.interrupted()).isTrue(); // also clears the flag for the next tests
        }
    }

    // ---- auth ----

    @Test
    void sendsBearerToken() throws Exception {
        server.enqueue(json(200, vector()));
        try (PrometheusClient prom = client().auth(PrometheusAuth.bearer(Secrets.TOKEN)).build()) {
            prom.instantQuery("up", T);
        }
        assertThat(server.takeRequest(1, TimeUnit.SECONDS).getHeaders().get("Authorization"))
                .isEqualTo("Bearer " + Secrets.TOKEN.reveal());
    }

    @Test
    void sendsBasicAuth() throws Exception {
        server.enqueue(json(200, vector()));
        try (PrometheusClient prom = client().auth(PrometheusAuth.basic("alice", Secrets.PASSWORD)).build()) {
            prom.instantQuery("up", T);
        }
        assertThat(server.takeRequest(1, TimeUnit.SECONDS).getHeaders().get("Authorization"))
                .isEqualTo(Secrets.basicHeader("alice", Secrets.PASSWORD.reveal()));
    }

    @Test
    void userinfoInBaseUrlBecomesBasicAuthAndNeverShows() throws Exception {
        server.enqueue(json(500, "nope"));
        String url = "http://bob:" + Secrets.PASSWORD.reveal() + "@" + server.getHostName() + ":" + server.getPort()
                + "/prom";
        try (PrometheusClient prom = client().baseUrl(url).retries(0).build()) {
            QueryOutcome outcome = prom.instantQuery("up", T);
            assertThat(prom.endpoint()).isEqualTo("http://" + server.getHostName() + ":" + server.getPort() + "/prom");
            assertThat(outcome.describe() + outcome + prom).doesNotContain(Secrets.PASSWORD.reveal(), "bob:", "@");
        }
        RecordedRequest request = server.takeRequest(1, TimeUnit.SECONDS);
        assertThat(request.getHeaders().get("Authorization"))
                .isEqualTo(Secrets.basicHeader("bob", Secrets.PASSWORD.reveal()));
        assertThat(request.getUrl().username()).isEmpty();
    }

    @Test
    void sharedOkHttpClientIsLeftOpen() {
        server.enqueue(json(200, vector()));
        server.enqueue(json(200, vector()));
        OkHttpClient shared = new OkHttpClient();
        try {
            client().okHttpClient(shared).build().close();
            assertThat(shared.dispatcher().executorService().isShutdown()).isFalse();
            try (PrometheusClient prom = client().okHttpClient(shared).build()) {
                assertThat(prom.instantQuery("up", T)).isInstanceOf(QueryOutcome.Success.class);
            }
        } finally {
            shared.dispatcher().executorService().shutdown();
            shared.connectionPool().evictAll();
        }
    }

    @Test
    void tlsVerifyOffBuildsAndStillWorksForHttp() {
        server.enqueue(json(200, vector()));
        try (PrometheusClient prom = client().tlsVerify(false).build()) {
            assertThat(prom.instantQuery("up", T)).isInstanceOf(QueryOutcome.Success.class);
        }
    }

    // ---- builder validation ----

    @Test
    void rejectsBadArguments() {
        assertThatThrownBy(() -> PrometheusClient.builder().build()).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> PrometheusClient.builder().baseUrl("ftp://carol:hunter2@host").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("not an http(s) URL: ftp://host");
        assertThatThrownBy(() -> client().auth(PrometheusAuth.bearer(Secrets.TOKEN))
                .headers(Map.of("authorization", "x")).build()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> client().header("X-Token", "abc\nsecret-value"))
                .isInstanceOf(IllegalArgumentException.class)
                .message().doesNotContain("secret-value");
        assertThatThrownBy(() -> client().retries(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> client().timeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        try (PrometheusClient prom = client().build()) {
            assertThatThrownBy(() -> prom.rangeQuery("up", T, T.minusSeconds(1), Duration.ofSeconds(1)))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> prom.rangeQuery("up", T, T, Duration.ZERO))
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(server.getRequestCount()).isZero();
    }

    // ---- answers too large to read ----

    @Test
    void anAnswerLongerThanTheLimitIsTooLargeAndNotRetried() {
        String padding = " ".repeat((int) PrometheusClient.MAX_ANSWER_BYTES);
        server.enqueue(json(200, vector(sample("\"job\":\"api\"", "1")) + padding));
        try (PrometheusClient prom = client().build()) {
            QueryOutcome outcome = prom.instantQuery("up", T);
            assertThat(outcome).isInstanceOfSatisfying(AnswerTooLarge.class, tooLarge -> {
                assertThat(tooLarge.httpStatus()).isEqualTo(200);
                assertThat(tooLarge.attempts()).isEqualTo(1);
            });
            assertThat(outcome.describe()).contains("answer too large", "more than 4 MiB", "`up`");
        }
        assertThat(sleeps).isEmpty();
    }

    @Test
    void anAnswerJustWithinTheLimitIsRead() {
        String answer = vector(sample("\"job\":\"api\"", "1"));
        String padding = " ".repeat((int) PrometheusClient.MAX_ANSWER_BYTES - answer.length());
        server.enqueue(json(200, answer + padding));
        try (PrometheusClient prom = client().build()) {
            assertThat(prom.instantQuery("up", T)).isInstanceOf(QueryOutcome.Success.class);
        }
    }

    /**
     * A body without a length that never ends: read whole, it would fill the heap (or run into the timeout). The
     * client stops at the limit instead; the timeout is long so that only reading too much could reach it.
     */
    @Test
    void anEndlessAnswerIsCutAtTheLimit() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Thread endless = new Thread(() -> serveEndlessly(socket), "endless-answer");
            endless.setDaemon(true);
            endless.start();
            try (PrometheusClient prom = client().baseUrl("http://127.0.0.1:" + socket.getLocalPort())
                    .timeout(Duration.ofSeconds(60)).retries(0).build()) {
                QueryOutcome outcome = prom.instantQuery("up", T);
                assertThat(outcome).isInstanceOf(AnswerTooLarge.class);
            }
        }
    }

    /** Sends an answer that does not end until the client hangs up (or 256 MiB, so that a failing test ends too). */
    private static void serveEndlessly(ServerSocket socket) {
        try (java.net.Socket s = socket.accept()) {
            java.io.InputStream in = s.getInputStream();
            byte[] request = new byte[8192];
            in.read(request); // the request line and headers; the answer does not depend on them
            java.io.OutputStream out = s.getOutputStream();
            out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "2\r\n{ \r\n").getBytes(StandardCharsets.US_ASCII));
            byte[] chunk = ("10000\r\n" + " ".repeat(0x10000) + "\r\n").getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < 4096; i++) {
                out.write(chunk);
            }
        } catch (IOException e) {
            // the client hung up, as it should
        }
    }
}
