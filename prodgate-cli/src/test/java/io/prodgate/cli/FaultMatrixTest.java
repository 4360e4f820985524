package io.prodgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.ServerSocket;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The canary gate driven through every fault a metrics source can show, against a fake Prometheus that also echoes the
 * bearer token in whatever it sends back: never a PASS, the reason typed for what happened, and no secret in any
 * output (stdout, stderr, state file, JSON, JUnit and HTML reports).
 */
class FaultMatrixTest {
    static final String TOKEN = "tok-fault-9c1d-SUPERSECRET";
    static final long FROM = 1_764_000_000L; // the replayed window: five evaluations, a minute apart
    static final Pattern WINDOW = Pattern.compile("\\[(\\d+)s]");

    @TempDir
    Path dir;
    MockWebServer server;

    @BeforeEach
    void start() throws Exception {
        server = new MockWebServer();
        server.start();
        Files.writeString(dir.resolve("token"), TOKEN);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** One query of an evaluation, as the fake sees it. */
    record Query(String text, long time) {
        boolean canary() {
            return text.contains("track=\"canary\"");
        }

        boolean events() {
            return text.contains("code=~") || text.contains("le=\"0.5\"");
        }

        /** The cumulative figure a healthy service would have: 50 req/s canary, 450 baseline, 0.5 % bad, 2 % slow. */
        double healthy() {
            return healthyUntil(Long.MAX_VALUE);
        }

        /** The same, for a side that stopped serving {@code seconds} into the bake. */
        double healthyUntil(long stopped) {
            Matcher m = WINDOW.matcher(text);
            double seconds = Math.min(stopped, m.find() ? Double.parseDouble(m.group(1)) : 60);
            double total = (canary() ? 50 : 450) * seconds;
            if (!events()) {
                return total;
            }
            return text.contains("le=") ? total * 0.98 : total * 0.005;
        }
    }

    static MockResponse json(int code, String body) {
        return new MockResponse.Builder().code(code).addHeader("Content-Type", "application/json").body(body).build();
    }

    static MockResponse value(Query q, String v) {
        return json(200, "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":"
                + "{\"echo\":\"" + TOKEN + "\"},\"value\":[" + q.time() + ",\"" + v + "\"]}]}}");
    }

    static MockResponse healthy(Query q) {
        return value(q, Double.toString(q.healthy()));
    }

    static MockResponse empty() {
        return json(200, "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}");
    }

    static Arguments fault(String name, String reason, Function<Query, MockResponse> answer) {
        return Arguments.of(name, reason, answer);
    }

    static Stream<Arguments> faults() {
        String echoed = "{\"status\":\"error\",\"errorType\":\"%s\",\"error\":\"saw Bearer " + TOKEN + "\"}";
        return Stream.of(
                fault("http-500", "SOURCE_ERROR", q -> json(500, "internal error, token " + TOKEN)),
                fault("unavailable-503", "SOURCE_ERROR", q -> json(503, echoed.formatted("unavailable"))),
                fault("rate-limited-429", "SOURCE_ERROR", q -> json(429, "slow down " + TOKEN)),
                fault("unauthorised-401", "SOURCE_ERROR", q -> json(401, "bad token " + TOKEN)),
                fault("proxy-404-html", "SOURCE_ERROR", q -> new MockResponse.Builder().code(404)
                        .addHeader("Content-Type", "text/html").body("<html>no route for " + TOKEN + "</html>").build()),
                fault("execution-422", "SOURCE_ERROR", q -> json(422, echoed.formatted("execution"))),
                fault("promql-syntax-400", "INVALID_QUERY_RESULT", q -> json(400, echoed.formatted("bad_data"))),
                fault("malformed-json", "SOURCE_ERROR", q -> json(200, "{\"status\":\"success\",\"data\":{" + TOKEN)),
                fault("empty-body", "SOURCE_ERROR", q -> json(200, "")),
                fault("html-200", "SOURCE_ERROR", q -> new MockResponse.Builder().code(200)
                        .addHeader("Content-Type", "text/html").body("<html>login " + TOKEN + "</html>").build()),
                fault("error-status-200", "SOURCE_ERROR", q -> json(200, echoed.formatted("internal"))),
                fault("hanging", "SOURCE_ERROR", q -> new MockResponse.Builder().headersDelay(3, TimeUnit.SECONDS)
                        .code(200).body("{}").build()),
                fault("too-large", "SOURCE_ERROR", q -> json(200, "{\"status\":\"success\",\"data\":{\"resultType\":"
                        + "\"vector\",\"result\":[]}}" + " ".repeat(5 * 1024 * 1024))),
                fault("nan", "NO_CANARY_DATA", q -> value(q, "NaN")),
                fault("infinite", "NO_CANARY_DATA", q -> value(q, "+Inf")),
                fault("no-series", "NO_CANARY_DATA", q -> empty()),
                fault("negative-count", "INVALID_QUERY_RESULT", q -> value(q, q.events() ? "-1" : "1000")),
                fault("more-bad-than-total", "INVALID_QUERY_RESULT",
                        q -> value(q, Double.toString(q.events() && !q.text().contains("le=") ? 2e6 : q.healthy()))),
                fault("shrinking-counts", "INVALID_QUERY_RESULT",
                        q -> value(q, Double.toString(Math.max(0, 1e6 - (q.time() - FROM) * 1000.0)))),
                fault("several-series", "INVALID_QUERY_RESULT", q -> json(200, "{\"status\":\"success\",\"data\":"
                        + "{\"resultType\":\"vector\",\"result\":[{\"metric\":{\"pod\":\"" + TOKEN + "\"},\"value\":["
                        + q.time() + ",\"1\"]},{\"metric\":{\"pod\":\"b\"},\"value\":[" + q.time() + ",\"2\"]}]}}")),
                fault("matrix-answer", "INVALID_QUERY_RESULT", q -> json(200, "{\"status\":\"success\",\"data\":"
                        + "{\"resultType\":\"matrix\",\"result\":[{\"metric\":{\"x\":\"" + TOKEN + "\"},\"values\":[["
                        + q.time() + ",\"1\"]]}]}}")),
                fault("canary-silent", "NO_CANARY_DATA", q -> q.canary() ? empty() : healthy(q)),
                fault("baseline-silent", "NO_BASELINE_DATA", q -> q.canary() ? healthy(q) : empty()),
                fault("canary-several-series", "INVALID_QUERY_RESULT", q -> q.canary() ? json(200, "{\"status\":"
                        + "\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{\"a\":\"1\"},"
                        + "\"value\":[" + q.time() + ",\"1\"]},{\"metric\":{\"a\":\"" + TOKEN + "\"},\"value\":["
                        + q.time() + ",\"2\"]}]}}") : healthy(q)),
                fault("down-at-the-end", "SOURCE_ERROR",
                        q -> q.time() >= FROM + 300 ? json(503, "gone " + TOKEN) : healthy(q)),
                fault("canary-quiet-at-the-end", "NO_CANARY_DATA",
                        q -> value(q, Double.toString(q.canary() ? q.healthyUntil(180) : q.healthy()))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("faults")
    void neverAPassAlwaysTheReasonNoSecretAnywhere(String name, String reason, Function<Query, MockResponse> answer)
            throws Exception {
        answer(answer);
        CliRun run = replay(server.url("/").toString(), name);
        assertFault(run, name, reason);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("down")
    void aSourceThatIsNotThereIsASourceError(String name) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // closed again: nothing listens there
        }
        assertFault(replay("http://127.0.0.1:" + port + "/", name), name, "SOURCE_ERROR");
    }

    static Stream<String> down() {
        return Stream.of("connection-refused");
    }

    /** A healthy source passes, so the matrix's verdicts are the faults', not the fake's. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("down")
    void theFakeItselfIsHealthy(String ignored) throws Exception {
        answer(FaultMatrixTest::healthy);
        CliRun run = replay(server.url("/").toString(), "healthy");
        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        assertThat(run.out()).contains("canary gate: PASS");
    }

    /** Answers every query of the gate through {@code answer}, from the query's form fields. */
    void answer(Function<Query, MockResponse> answer) {
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                Map<String, String> form = new HashMap<>();
                for (String kv : request.getBody().utf8().split("&")) {
                    String[] p = kv.split("=", 2);
                    form.put(p[0], URLDecoder.decode(p.length > 1 ? p[1] : "", StandardCharsets.UTF_8));
                }
                return answer.apply(new Query(form.getOrDefault("query", ""),
                        (long) Double.parseDouble(form.getOrDefault("time", "0"))));
            }
        });
    }

    CliRun replay(String url, String name) throws Exception {
        String gate = GateFiles.canaryGate(url, "").replace("  retries: 0\n", "  retries: 0\n  bearerTokenFile: token\n")
                .replace("  timeout: 2s\n", "  timeout: 1s\n");
        Path file = GateFiles.write(dir, name + ".yaml", gate);
        return CliRun.of("canary", "--config", file.toString(),
                "--from", java.time.Instant.ofEpochSecond(FROM).toString(),
                "--to", java.time.Instant.ofEpochSecond(FROM + 300).toString(),
                "--state", dir.resolve(name + "-state.json").toString(),
                "--report-json", dir.resolve(name + ".json").toString(),
                "--junit", dir.resolve(name + ".xml").toString(),
                "--report-html", dir.resolve(name + ".html").toString());
    }

    void assertFault(CliRun run, String name, String reason) throws Exception {
        assertThat(run.exitCode()).as(name + ": " + run.out() + run.err()).isIn(1, 2);
        assertThat(run.out()).as(name).doesNotContain("canary gate: PASS");
        JsonNode report = new ObjectMapper().readTree(dir.resolve(name + ".json").toFile());
        assertThat(report.get("verdict").asText()).as(name).isNotEqualTo("PASS");
        List<String> types = new ArrayList<>();
        report.get("reasonDetails").forEach(r -> types.add(r.get("type").asText()));
        assertThat(types).as(name + ": " + report.get("reasons")).contains(reason);
        List<String> outputs = List.of(run.out(), run.err(), Files.readString(dir.resolve(name + "-state.json")),
                Files.readString(dir.resolve(name + ".json")), Files.readString(dir.resolve(name + ".xml")),
                Files.readString(dir.resolve(name + ".html")));
        for (String output : outputs) {
            assertThat(output).as(name).doesNotContain(TOKEN).doesNotContain("SUPERSECRET");
        }
    }
}
