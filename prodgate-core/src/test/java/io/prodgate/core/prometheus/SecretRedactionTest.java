package io.prodgate.core.prometheus;

import static io.prodgate.core.prometheus.PrometheusClientTest.T;
import static io.prodgate.core.prometheus.PrometheusClientTest.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Servers and proxies echo requests back; whatever they echo must not carry the credentials into messages. */
class SecretRedactionTest {
    static final String TOKEN = Secrets.TOKEN.reveal();
    static final String PASSWORD = Secrets.PASSWORD.reveal();

    MockWebServer server;
    final List<String> logLines = new CopyOnWriteArrayList<>();
    final Logger jul = Logger.getLogger(PrometheusClient.class.getName());
    final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            logLines.add(new SimpleFormatter().formatMessage(record));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    Level previousLevel;

    @BeforeEach
    void start() throws IOException {
        server = new MockWebServer();
        server.start();
        previousLevel = jul.getLevel();
        jul.setLevel(Level.ALL);
        jul.addHandler(capture);
    }

    @AfterEach
    void stop() {
        jul.removeHandler(capture);
        jul.setLevel(previousLevel);
        server.close();
    }

    PrometheusClient bearerClient() {
        return PrometheusClient.builder().baseUrl(server.url("/").toString())
                .auth(PrometheusAuth.bearer(Secrets.TOKEN)).sleeper(d -> { }).retries(1).build();
    }

    static void assertClean(Object... things) {
        for (Object thing : things) {
            assertThat(String.valueOf(thing)).doesNotContain(TOKEN, PASSWORD);
        }
    }

    @Test
    void tokenEchoedInHttpErrorBodyIsRedacted() {
        server.enqueue(new MockResponse.Builder().code(502)
                .body("proxy error for request with Authorization: Bearer " + TOKEN).build());
        server.enqueue(new MockResponse.Builder().code(401).body("invalid token " + TOKEN).build());
        try (PrometheusClient prom = bearerClient()) {
            QueryOutcome outcome = prom.instantQuery("up", T);
            assertThat(outcome).isInstanceOfSatisfying(HttpError.class,
                    e -> assertThat(e.bodyExcerpt()).isEqualTo("invalid token ****"));
            assertClean(outcome, outcome.describe(), prom, logLines);
            assertThat(logLines).anySatisfy(line -> assertThat(line).contains("Retrying", "HTTP 502", "Bearer ****"));
        }
    }

    @Test
    void tokenEchoedInPrometheusErrorIsRedacted() {
        server.enqueue(json(400, "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"unknown token " + TOKEN
                + " in http://user:" + PASSWORD + "@example.com/x\"}"));
        try (PrometheusClient prom = bearerClient()) {
            QueryOutcome outcome = prom.instantQuery("up", T);
            assertThat(outcome).isInstanceOfSatisfying(PrometheusError.class,
                    e -> assertThat(e.error()).isEqualTo("unknown token **** in http://example.com/x"));
            assertClean(outcome, outcome.describe(), logLines);
        }
    }

    @Test
    void tokenEchoedInMalformedBodyIsRedacted() {
        server.enqueue(new MockResponse.Builder().code(200).body(TOKEN + " is not welcome here").build());
        try (PrometheusClient prom = bearerClient()) {
            QueryOutcome outcome = prom.instantQuery("up", T);
            assertThat(outcome).isInstanceOf(MalformedBody.class);
            assertClean(outcome, outcome.describe(), logLines);
        }
    }

    @Test
    void basicCredentialsEchoedInEitherFormAreRedacted() {
        String header = Secrets.basicHeader("alice", PASSWORD);
        server.enqueue(new MockResponse.Builder().code(403)
                .body("denied: " + header + " / password " + PASSWORD).build());
        try (PrometheusClient prom = PrometheusClient.builder().baseUrl(server.url("/").toString())
                .auth(PrometheusAuth.basic("alice", Secrets.PASSWORD)).build()) {
            QueryOutcome outcome = prom.instantQuery("up", T);
            assertThat(outcome).isInstanceOfSatisfying(HttpError.class,
                    e -> assertThat(e.bodyExcerpt()).isEqualTo("denied: Basic **** / password ****"));
            assertClean(outcome, outcome.describe(), prom, logLines);
            assertThat(outcome.toString()).doesNotContain(header.substring(6));
        }
    }

    /** Labels and warnings come from the server like error bodies do, and reach reports and state files. */
    @Test
    void credentialsEchoedInLabelsAndWarningsAreRedactedForEveryKindOfAuth() {
        String headerToken = "hdr-4c2b-SUPERSECRET";
        String url = server.url("/").toString();
        // Each client and what a server echoing its request would show.
        Map<PrometheusClient, String> echoes = new LinkedHashMap<>();
        echoes.put(bearerClient(), "Bearer " + TOKEN);
        echoes.put(PrometheusClient.builder().baseUrl(url).auth(PrometheusAuth.basic("alice", Secrets.PASSWORD))
                .build(), Secrets.basicHeader("alice", PASSWORD) + " http://alice:" + PASSWORD + "@proxy");
        echoes.put(PrometheusClient.builder().baseUrl(url).header("Authorization", "Token " + headerToken).build(),
                "Token " + headerToken + ", alone " + headerToken);
        echoes.put(PrometheusClient.builder().baseUrl(url).header("X-Api-Key", headerToken).build(), headerToken);
        echoes.forEach((prom, echoed) -> {
            try (prom) {
                String series = "{\"metric\":{\"auth\":\"" + echoed + "\",\"" + echoed + "\":\"x\"},"
                        + "\"value\":[1700000000,\"1\"]}";
                String two = series + "," + series.replace("\"x\"", "\"y\"");
                server.enqueue(json(200, "{\"status\":\"success\",\"warnings\":[\"seen " + echoed + "\"],"
                        + "\"data\":{\"resultType\":\"vector\",\"result\":[" + two + "]}}"));
                ScalarOutcome tooMany = prom.scalar("up", T);
                assertThat(tooMany).isInstanceOf(ScalarOutcome.TooManySeries.class);
                assertThat(tooMany.describe()).contains("auth=\"").contains("****");

                server.enqueue(json(200, "{\"status\":\"success\",\"warnings\":[\"seen " + echoed + "\"],"
                        + "\"data\":{\"resultType\":\"vector\",\"result\":[" + series + "]}}"));
                ScalarOutcome one = prom.scalar("up", T);
                assertThat(one).isInstanceOf(ScalarOutcome.Value.class);

                server.enqueue(json(200, "{\"status\":\"success\",\"warnings\":[\"seen " + echoed + "\"],"
                        + "\"data\":{\"resultType\":\"vector\",\"result\":[" + series + "]}}"));
                QueryOutcome query = prom.instantQuery("up", T);
                assertThat(query).isInstanceOfSatisfying(QueryOutcome.Success.class,
                        success -> assertThat(success.warnings()).singleElement().asString().startsWith("seen "));
                for (Object out : List.of(tooMany, tooMany.describe(), one, one.describe(), query, query.describe())) {
                    assertThat(String.valueOf(out)).doesNotContain(TOKEN, PASSWORD, headerToken,
                            Secrets.basicHeader("alice", PASSWORD).substring(6));
                }
            }
        });
    }

    @Test
    void timeoutMessageAndAuthToStringHaveNoSecret() {
        server.enqueue(new MockResponse.Builder().headersDelay(1, java.util.concurrent.TimeUnit.SECONDS).build());
        try (PrometheusClient prom = PrometheusClient.builder().baseUrl(server.url("/").toString())
                .auth(PrometheusAuth.bearer(Secrets.TOKEN)).timeout(Duration.ofMillis(100)).retries(0).build()) {
            QueryOutcome outcome = prom.instantQuery("up", T);
            assertThat(outcome).isInstanceOf(Unreachable.class);
            assertClean(outcome, outcome.describe(), prom, logLines, PrometheusAuth.bearer(Secrets.TOKEN),
                    PrometheusAuth.basic("alice", Secrets.PASSWORD));
        }
    }
}
