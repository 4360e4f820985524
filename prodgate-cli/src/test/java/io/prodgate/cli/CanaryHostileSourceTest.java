package io.prodgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The canary command against a Prometheus that misbehaves in ways a real one does not: it echoes the request's
 * credentials in series labels, or answers far too much. Every output the command writes is checked.
 */
class CanaryHostileSourceTest {
    static final String TOKEN = "tok-51f0e2-SUPERSECRET";
    static final String PASSWORD = "pw-7a6b5c-SUPERSECRET";

    @TempDir
    Path dir;
    MockWebServer server;

    @BeforeEach
    void start() throws Exception {
        server = new MockWebServer();
        server.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** Answers every query with two series whose labels hold what the request authenticated with. */
    static Dispatcher echoingCredentials() {
        return new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                String auth = String.valueOf(request.getHeaders().get("Authorization"));
                String credential = auth.substring(auth.indexOf(' ') + 1);
                String decoded = auth.startsWith("Basic ")
                        ? new String(Base64.getDecoder().decode(credential), StandardCharsets.UTF_8) : credential;
                String labels = "\"auth\":\"" + auth + "\",\"credential\":\"" + credential + "\",\"decoded\":\""
                        + decoded + "\"";
                String series = "{\"metric\":{" + labels + ",\"pod\":\"%s\"},\"value\":[1764000000,\"5\"]}";
                return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
                        .body("{\"status\":\"success\",\"warnings\":[\"saw " + auth + "\"],\"data\":{\"resultType\":"
                                + "\"vector\",\"result\":[" + series.formatted("a") + "," + series.formatted("b")
                                + "]}}")
                        .build();
            }
        };
    }

    CliRun replay(Path gate, String name) {
        return CliRun.of("canary", "--config", gate.toString(),
                "--from", "2025-11-24T10:00:00Z", "--to", "2025-11-24T10:05:00Z",
                "--state", dir.resolve(name + "-state.json").toString(),
                "--report-json", dir.resolve(name + ".json").toString(),
                "--junit", dir.resolve(name + ".xml").toString(),
                "--report-html", dir.resolve(name + ".html").toString());
    }

    List<String> outputs(CliRun run, String name) throws Exception {
        return List.of(run.out(), run.err(), Files.readString(dir.resolve(name + "-state.json")),
                Files.readString(dir.resolve(name + ".json")), Files.readString(dir.resolve(name + ".xml")),
                Files.readString(dir.resolve(name + ".html")));
    }

    @Test
    void credentialsEchoedInSeriesLabelsReachNoOutputForAnyKindOfAuth() throws Exception {
        server.setDispatcher(echoingCredentials());
        Files.writeString(dir.resolve("token"), TOKEN);
        Files.writeString(dir.resolve("password"), PASSWORD);
        String url = server.url("/").toString();
        String basicCredential = Base64.getEncoder()
                .encodeToString(("alice:" + PASSWORD).getBytes(StandardCharsets.UTF_8));
        String[][] kinds = {
                {"bearer", "  bearerTokenFile: token\n", TOKEN},
                {"basic", "  basicAuth: { username: alice, passwordFile: password }\n", PASSWORD}};
        for (String[] kind : kinds) {
            Path gate = GateFiles.write(dir, kind[0] + ".yaml", GateFiles.canaryGate(url, "")
                    .replace("  timeout: 2s\n", "  timeout: 2s\n" + kind[1]));
            CliRun run = replay(gate, kind[0]);

            assertThat(run.exitCode()).as(kind[0] + ": " + run.err()).isEqualTo(2);
            assertThat(run.out()).as(kind[0])
                    .contains("2 series where one number was expected", "credential=\"****\"");
            for (String output : outputs(run, kind[0])) {
                assertThat(output).as(kind[0]).doesNotContain(kind[2], basicCredential, "SUPERSECRET");
            }
        }
        // the third kind, a credential in prometheus.headers, cannot reach a query: the gate file is refused
        Path headers = GateFiles.write(dir, "headers.yaml", GateFiles.canaryGate(url, "")
                .replace("  timeout: 2s\n", "  timeout: 2s\n  headers: { Authorization: 'Token " + TOKEN + "' }\n"));
        CliRun refused = replay(headers, "headers");
        assertThat(refused.exitCode()).isEqualTo(64);
        assertThat(refused.err()).contains("prometheus.headers", "Authorization carries a credential")
                .doesNotContain(TOKEN);
        assertThat(refused.out()).doesNotContain(TOKEN);
    }

    @Test
    void anAnswerTooLargeIsASourceErrorAndTheCommandStaysWithinItsHeap() throws Exception {
        // Twice the limit, sent for every query: read whole, each would cost some 10 times its size in heap.
        String padding = " ".repeat(8 * 1024 * 1024);
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
                        .body("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}" + padding)
                        .build();
            }
        });
        Path gate = GateFiles.write(dir, "gate.yaml", GateFiles.canaryGate(server.url("/").toString(), ""));
        CliRun run = replay(gate, "large");

        assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
        assertThat(Files.readString(dir.resolve("large.json"))).contains("SOURCE_ERROR", "answer too large");
    }
}
