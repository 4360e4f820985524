package io.prodgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.prodgate.testkit.WellFormedXml;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

@Timeout(30)
class SmokeCommandTest {
    @TempDir
    Path dir;

    private HttpServer server;
    private String url;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0), 10);
        answer("/healthz", 200, "ok");
        answer("/api/ok", 200, "{\"status\":\"ok\"}");
        answer("/api/broken", 500, "<b>boom</b>");
        server.start();
        url = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void answer(String path, int status, String body) {
        server.createContext(path, ex -> {
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(status, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
    }

    /** Runs the command as picocli would, with stdout and stderr captured. */
    record Run(int exitCode, String out, String err) {
    }

    private Run smoke(String... args) {
        return smoke(new StringWriter(), args);
    }

    private Run smoke(StringWriter out, String... args) {
        SmokeCommand command = new SmokeCommand();
        command.env = Map.of("STAGING_TOKEN", "Bearer sm0ke-secret");
        StringWriter err = new StringWriter();
        int code = Main.handlingErrors(new CommandLine(command)).setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true)).execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private Path gate(String target, String checks) throws IOException {
        Path f = dir.resolve("gate.yaml");
        Files.writeString(f, "smoke:\n  target: " + target + "\n  timeBox: 20s\n  checks:\n" + checks.indent(4));
        return f;
    }

    @Test
    void passingChecksExitZeroAndWriteBothReports() throws IOException {
        Path f = gate(url, """
                - { name: healthy, health: { url: /healthz, deadline: 5s, interval: 100ms } }
                - { name: api, http: { url: /api/ok, jsonField: { path: /status, equals: ok },
                                       headersFromEnv: { Authorization: STAGING_TOKEN } } }
                - { name: tool, command: { run: [sh, -c, "echo fine"], outputContains: fine } }
                """);
        Path json = dir.resolve("reports/smoke.json");
        Path xml = dir.resolve("reports/smoke.xml");
        Run r = smoke("--config", f.toString(), "--report-json", json.toString(), "--junit", xml.toString());
        assertThat(r.exitCode()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).contains("PASS healthy [health] healthy (HTTP 200) after 1 attempt")
                .contains("PASS api [http] HTTP 200 in ").contains("PASS tool [command] exit 0 in ")
                .contains("smoke PASS in ").contains("all 3 smoke checks passed");
        assertThat(Files.readString(json)).contains("\"verdict\" : \"PASS\"").doesNotContain("sm0ke-secret");
        WellFormedXml.parse(xml);
        String junit = Files.readString(xml);
        assertThat(junit).contains("tests=\"3\"").contains("failures=\"0\"").contains("name=\"api\"");
    }

    @Test
    void aFailingCheckExitsOneAndShowsWhy() throws IOException {
        Path f = gate(url, """
                - { name: api, http: { url: /api/broken } }
                - { name: ok, http: { url: /api/ok } }
                """);
        Path xml = dir.resolve("smoke.xml");
        Run r = smoke("--config", f.toString(), "--junit", xml.toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.out()).contains("FAIL api [http] HTTP 500, expected 200").contains("PASS ok [http]")
                .contains("smoke FAIL in ");
        WellFormedXml.parse(xml);
        assertThat(Files.readString(xml)).contains("failures=\"1\"").contains("message=\"HTTP 500, expected 200\"")
                .contains("&lt;b&gt;boom&lt;/b&gt;");
    }

    @Test
    void anAdvisorySmokeRunReportsTheFailureAndExitsZero() throws IOException {
        String checks = """
                - { name: api, http: { url: /api/broken } }
                - { name: ok, http: { url: /api/ok } }
                """;
        Path xml = dir.resolve("advisory.xml");
        Path json = dir.resolve("advisory.json");
        for (boolean fromFile : new boolean[] {true, false}) {
            Path f = gate(url, checks);
            if (fromFile) {
                Files.writeString(f, Files.readString(f).replace("smoke:\n", "smoke:\n  mode: advisory\n"));
            }
            Run r = fromFile ? smoke("--config", f.toString(), "--junit", xml.toString(), "--report-json", json.toString())
                    : smoke("--config", f.toString(), "--advisory", "--junit", xml.toString(), "--report-json",
                            json.toString());
            assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
            assertThat(r.out()).contains("FAIL api [http] HTTP 500, expected 200")
                    .contains("smoke advisory, would FAIL in ").contains("(advisory: it does not block)");
            WellFormedXml.parse(xml);
            assertThat(Files.readString(xml)).contains("failures=\"0\"")
                    .contains("message=\"advisory, would fail: HTTP 500, expected 200\"");
            assertThat(Files.readString(json)).contains("\"verdict\" : \"FAIL\"", "\"advisory\" : true");
        }
    }

    @Test
    void controlCharactersInCheckNamesAndOutputKeepTheJUnitXmlWellFormed() throws IOException {
        Path f = gate(url, """
                - { name: "api\\u0007\\u001b[31m", http: { url: /api/broken } }
                - { name: "tool\\u0001", command: { run: [sh, -c, "printf 'bell\\a nul\\001 esc\\033[0m'; exit 3"] } }
                """);
        Path xml = dir.resolve("smoke.xml");
        Run r = smoke("--config", f.toString(), "--junit", xml.toString());
        assertThat(r.exitCode()).as(r.err()).isEqualTo(1);
        org.w3c.dom.NodeList cases = WellFormedXml.parse(xml).getElementsByTagName("testcase");
        assertThat(cases.getLength()).isEqualTo(2);
        assertThat(((org.w3c.dom.Element) cases.item(0)).getAttribute("name")).isEqualTo("api??[31m");
        assertThat(((org.w3c.dom.Element) cases.item(1)).getAttribute("name")).isEqualTo("tool?");
    }

    @Test
    void theTargetOptionReplacesTheGateFilesTarget() throws IOException {
        Path f = gate("http://127.0.0.1:1", "- { name: api, http: { url: /api/ok } }\n");
        assertThat(smoke("--config", f.toString(), "--target", url).exitCode()).isZero();
        Run bad = smoke("--config", f.toString(), "--target", "ftp://nowhere");
        assertThat(bad.exitCode()).isEqualTo(64);
        assertThat(bad.err()).isEqualTo("prodgate smoke: --target must be an http:// or https:// URL, got"
                + " 'ftp://nowhere'" + System.lineSeparator());
    }

    @Test
    void aBadGateFileExits64WithFileFieldAndProblemAndNoStackTrace() throws IOException {
        Path f = gate(url, """
                - { name: api, http: { urll: /api/ok } }
                - { name: slow, command: { run: [sleep, "1"], timeout: soon } }
                """);
        Run r = smoke("--config", f.toString());
        assertThat(r.exitCode()).isEqualTo(64);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).contains(f + ": smoke.checks[0].http.urll: unknown field (did you mean 'url'?)")
                .contains(f + ": smoke.checks[0].http.url: is required")
                .contains(f + ": smoke.checks[1].command.timeout: not a duration: 'soon'")
                .doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void aMissingSectionOrSecretIsAGateFileError() throws IOException {
        Path f = dir.resolve("canary-only.yaml");
        Files.writeString(f, "version: 1\n");
        Run r = smoke("--config", f.toString());
        assertThat(r.exitCode()).isEqualTo(64);
        assertThat(r.err().strip()).isEqualTo(f + ": smoke: is required for the smoke gate");

        Path g = gate(url, "- { name: api, http: { url: /api/ok, headersFromEnv: { X-Key: UNSET_VAR } } }\n");
        Run s = smoke("--config", g.toString());
        assertThat(s.exitCode()).isEqualTo(64);
        assertThat(s.err().strip()).isEqualTo(g + ": smoke.checks[0].http.headersFromEnv.X-Key: environment variable"
                + " UNSET_VAR is not set");

        Run missing = smoke("--config", dir.resolve("nope.yaml").toString());
        assertThat(missing.exitCode()).isEqualTo(64);
        assertThat(missing.err().strip()).isEqualTo(dir.resolve("nope.yaml") + ": no such file");
    }

    @Test
    void anUnwritableReportExits74() throws IOException {
        Path f = gate(url, "- { name: api, http: { url: /api/ok } }\n");
        Path blocker = dir.resolve("file");
        Files.writeString(blocker, "x");
        Run r = smoke("--config", f.toString(), "--report-json", blocker.resolve("sub/report.json").toString());
        assertThat(r.exitCode()).isEqualTo(74);
        assertThat(r.err()).startsWith("prodgate smoke: cannot write a report: ");
    }

    @Test
    void theMetricsPortServesTheVerdictUntilTheCommandEnds() throws IOException {
        Path f = gate(url, "- { name: api, http: { url: /api/ok } }\n");
        ScrapingOutput out = new ScrapingOutput("smoke PASS");
        Run r = smoke(out, "--config", f.toString(), "--metrics-port", "0", "--service", "checkout");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("metrics: http://127.0.0.1:");
        assertThat(out.scraped())
                .contains("prodgate_verdicts_total{gate=\"smoke\",mode=\"blocking\",service=\"checkout\",verdict=\"PASS\"} 1.0");
        assertThat(ScrapingOutput.get(out.url())).as("stopped with the command").startsWith("unreachable");
    }

    @Test
    void aBadPushgatewayIsRefusedBeforeAnyCheckRuns() throws IOException {
        Path f = gate(url, "- { name: tool, command: { run: [sh, -c, \"touch ran\"] } }\n");
        Run r = smoke("--config", f.toString(), "--pushgateway", "http://u:p@gateway:9091");
        assertThat(r.exitCode()).isEqualTo(64);
        assertThat(r.err()).startsWith("prodgate smoke: --pushgateway must not carry credentials");
        assertThat(r.out()).isEmpty();
    }
}
