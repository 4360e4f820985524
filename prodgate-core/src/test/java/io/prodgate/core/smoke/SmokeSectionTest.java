package io.prodgate.core.smoke;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.prodgate.core.config.GateFileException;
import io.prodgate.core.gatefile.GateFile;
import io.prodgate.core.gatefile.GateFileLoader;
import io.prodgate.core.gatefile.GateFiles;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SmokeSectionTest {
    @TempDir
    Path dir;

    private List<String> problems(String yaml) {
        Path f = GateFiles.write(dir, yaml);
        GateFileException e = catchThrowableOfType(GateFileException.class, () -> GateFileLoader.load(f));
        assertThat(e).as("the gate file must be rejected").isNotNull();
        return e.problems().stream().map(p -> {
            assertThat(p.file()).isEqualTo(f.toString());
            return p.path() + ": " + p.message();
        }).toList();
    }

    @Test
    void readsAFullSectionWithDefaults() {
        GateFile f = GateFiles.load(dir, """
                smoke:
                  target: http://127.0.0.1:8080
                  timeBox: 2m
                  budget: { maxChecks: 5, onExceed: warn }
                  checks:
                    - name: healthy
                      health: { url: /healthz }
                    - name: checkout
                      http: { method: post, url: /api/checkout, body: '{"sku":"A1"}', jsonField: { path: /status, equals: ok },
                              headersFromEnv: { Authorization: STAGING_TOKEN }, maxLatency: 500ms }
                    - name: migrations
                      command: { run: [sh, -c, ./migrate status], outputContains: up to date }
                """);
        SmokeSpec s = f.smoke().orElseThrow();
        assertThat(s.target()).contains("http://127.0.0.1:8080");
        assertThat(s.timeBox()).isEqualTo(Duration.ofMinutes(2));
        assertThat(s.budget()).isEqualTo(new SmokeBudget(5, Duration.ofMinutes(5), SmokeBudget.OnExceed.WARN));
        HealthCheck h = (HealthCheck) s.checks().get(0);
        assertThat(h.deadline()).isEqualTo(Duration.ofSeconds(60));
        assertThat(h.interval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(h.expectStatus()).isEqualTo(200);
        HttpCheck c = (HttpCheck) s.checks().get(1);
        assertThat(c.request().method()).isEqualTo("POST");
        assertThat(c.request().timeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.request().secretHeaders().get("Authorization").name()).isEqualTo("STAGING_TOKEN");
        assertThat(c.jsonField()).contains(new JsonFieldExpect("/status", "ok"));
        CommandCheck m = (CommandCheck) s.checks().get(2);
        assertThat(m.command().run()).containsExactly("sh", "-c", "./migrate status");
        assertThat(m.command().timeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.worstCase()).isEqualTo(Duration.ofSeconds(100));
    }

    @Test
    void namesFieldAndProblemForEachMistake() {
        assertThat(problems("""
                smoke:
                  target: ftp://example
                  timeBox: forever
                  budget: { maxChecks: 0, onExceed: explode }
                  checks:
                    - name: a
                      http: { url: api, method: FETCH, timeout: 5 minutes, headers: { Authorization: "Bearer x" } }
                    - name: b
                      http: { url: /x }
                      command: { run: [true] }
                    - health: { url: /h, deadline: 1s, interval: 5s }
                    - name: d
                      command: { run: [], expectExit: 300 }
                    - name: e
                      http: { url: /x, jsonField: { path: status }, maxLatencey: 1s }
                """)).containsExactlyInAnyOrder(
                "smoke.target: must be an http:// or https:// URL, got 'ftp://example'",
                "smoke.timeBox: not a duration: 'forever' (write e.g. 30s, 5m, 1h30m)",
                "smoke.budget.maxChecks: must be a whole number between 1 and 1000, got 0",
                "smoke.budget.onExceed: must be one of fail, warn, got 'explode'",
                "smoke.checks[0].http.method: must be one of DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT, got 'FETCH'",
                "smoke.checks[0].http.url: must be an http(s):// URL or a path starting with / (relative to the"
                        + " target), got 'api'",
                "smoke.checks[0].http.headers: Authorization carries a credential; secrets are never written in a gate"
                        + " file, use headersFromEnv: {Authorization: SOME_ENV_VAR}",
                "smoke.checks[0].http.timeout: not a duration: '5 minutes' (write e.g. 30s, 5m, 1h30m)",
                "smoke.checks[1]: give one of health, http or command, not command and http",
                "smoke.checks[2].name: is required",
                "smoke.checks[2].health.interval: must not be longer than the deadline (1s)",
                "smoke.checks[3].command.run: must name at least the program, e.g. [\"sh\", \"-c\", \"...\"]",
                "smoke.checks[3].command.expectExit: must be a whole number between 0 and 255, got 300",
                "smoke.checks[4].http.maxLatencey: unknown field (did you mean 'maxLatency'?); known fields: body,"
                        + " bodyContains, expectStatus, headers, headersFromEnv, jsonField, maxLatency, method,"
                        + " timeout, url",
                "smoke.checks[4].http.jsonField.path: must be a JSON pointer such as /status or /items/0/id, got"
                        + " 'status'",
                "smoke.checks[4].http.jsonField.equals: is required: the value the field must have (quote true,"
                        + " false and null)");
    }

    @Test
    void checksAreRequiredAndNamesUnique() {
        assertThat(problems("smoke: { target: 'http://127.0.0.1:1' }\n"))
                .containsExactly("smoke.checks: is required: a few checks that show the deploy works");
        assertThat(problems("""
                smoke:
                  checks:
                    - { name: a, http: { url: "http://127.0.0.1:1/a" } }
                    - { name: a, http: { url: "http://user:pw@127.0.0.1:1/a", method: GET, body: x } }
                """)).containsExactlyInAnyOrder(
                "smoke.checks[1].http.body: cannot be sent with GET; use POST, PUT or PATCH",
                "smoke.checks[1].http.url: must not carry credentials; use headersFromEnv for an Authorization header",
                "smoke.checks[1].name: 'a' is used by another check; names must be unique");
    }

    @Test
    void aMissingSectionIsAnErrorOnlyForTheSmokeGate() throws Exception {
        GateFile f = GateFiles.load(dir, "version: 1\n");
        catchThrowableOfType(GateFileException.class, f::requireSmoke);
        assertThat(catchThrowableOfType(GateFileException.class, f::requireSmoke))
                .hasMessage(f.name() + ": smoke: is required for the smoke gate");
    }
}
