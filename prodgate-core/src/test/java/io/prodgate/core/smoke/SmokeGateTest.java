package io.prodgate.core.smoke;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prodgate.core.config.GateFileException;
import io.prodgate.core.exec.Processes;
import io.prodgate.core.gatefile.GateFile;
import io.prodgate.core.gatefile.GateFiles;
import io.prodgate.core.http.LocalServer.Reply;
import io.prodgate.core.http.LocalServer;
import io.prodgate.core.report.SmokeReports;
import io.prodgate.core.util.TimeBounds;
import io.prodgate.core.verdict.ReasonType;
import io.prodgate.core.verdict.Verdict;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class SmokeGateTest {
    private static final Instant T0 = Instant.parse("2026-01-02T03:04:05Z");

    @TempDir
    Path dir;

    private final LocalServer server = LocalServer.start();
    private final SmokeGate gate = new SmokeGate(Clock.fixed(T0, ZoneOffset.UTC), Map.of("STAGING_TOKEN",
            "Bearer s3cr3t-t0ken"));

    @AfterEach
    void stop() {
        server.close();
    }

    private SmokeResult run(String checks) throws GateFileException {
        return run("", checks);
    }

    private SmokeResult run(String extra, String checks) throws GateFileException {
        GateFile file = GateFiles.load(dir, """
                smoke:
                  target: %s
                %s
                  checks:
                %s
                """.formatted(server.url(), extra.indent(2).stripTrailing(), checks.indent(4).stripTrailing()));
        return gate.run(file.ref(), file.requireSmoke());
    }

    @Test
    void httpCheckPassesWithStatusBodyJsonAndLatency() throws Exception {
        server.route("/api/checkout", 200, "{\"status\":\"ok\",\"order\":{\"id\":7}}");
        SmokeResult r = run("""
                - name: checkout answers
                  http: { method: POST, url: /api/checkout, body: '{"sku":"A1"}', expectStatus: 200,
                          bodyContains: '"ok"', jsonField: { path: /order/id, equals: "7" }, maxLatency: 2s,
                          headers: { X-Smoke: "yes" } }
                """);
        assertThat(r.verdict()).isEqualTo(Verdict.PASS);
        assertThat(r.reasons()).extracting(x -> x.type()).containsExactly(ReasonType.HELD);
        CheckResult c = r.checks().get(0);
        assertThat(c.outcome()).isEqualTo(CheckOutcome.PASSED);
        assertThat(c.what()).isEqualTo("POST " + server.url() + "/api/checkout");
        assertThat(c.evidence().status()).isEqualTo(200);
        assertThat(c.evidence().latency()).isNotNull();
        assertThat(c.evidence().excerpt()).contains("\"ok\"");
        assertThat(c.evidence().startedAt()).isEqualTo(T0);
        assertThat(c.evidence().attempts()).isEqualTo(1);
        LocalServer.Seen seen = server.last("/api/checkout");
        assertThat(seen.method()).isEqualTo("POST");
        assertThat(seen.body()).isEqualTo("{\"sku\":\"A1\"}");
        assertThat(seen.headers()).containsEntry("x-smoke", "yes").containsEntry("user-agent", "prodgate");
        assertThat(seen.headers().get("content-type")).startsWith("application/json");
        assertThat(r.startedAt()).isEqualTo(T0);
        assertThat(r.gateFileDigest()).startsWith("sha256:");
    }

    @Test
    void wrongStatusFails() throws Exception {
        server.route("/api", 500, "boom");
        SmokeResult r = run("- name: api\n  http: { url: /api }\n");
        assertThat(r.verdict()).isEqualTo(Verdict.FAIL);
        assertThat(r.checks().get(0).outcome()).isEqualTo(CheckOutcome.FAILED);
        assertThat(r.checks().get(0).message()).isEqualTo("HTTP 500, expected 200");
        assertThat(r.checks().get(0).evidence().excerpt()).isEqualTo("boom");
        assertThat(r.reasons()).singleElement().satisfies(x -> {
            assertThat(x.type()).isEqualTo(ReasonType.CHECK_FAILED);
            assertThat(x.subject()).isEqualTo("api");
            assertThat(x.message()).isEqualTo("api: HTTP 500, expected 200");
        });
    }

    @Test
    void missingBodyTextFails() throws Exception {
        server.route("/api", 200, "all good");
        SmokeResult r = run("- name: api\n  http: { url: /api, bodyContains: welcome }\n");
        assertThat(r.verdict()).isEqualTo(Verdict.FAIL);
        assertThat(r.checks().get(0).message()).isEqualTo("body does not contain 'welcome'");
    }

    @Test
    void wrongJsonFieldFails() throws Exception {
        server.route("/a", 200, "{\"status\":\"degraded\"}");
        server.route("/b", 200, "{\"other\":1}");
        server.route("/c", 200, "<html>not json</html>");
        SmokeResult r = run("""
                - name: a
                  http: { url: /a, jsonField: { path: /status, equals: ok } }
                - name: b
                  http: { url: /b, jsonField: { path: /status, equals: ok } }
                - name: c
                  http: { url: /c, jsonField: { path: /status, equals: ok } }
                """);
        assertThat(r.verdict()).isEqualTo(Verdict.FAIL);
        assertThat(r.checks()).extracting(CheckResult::message).containsExactly(
                "JSON field /status is 'degraded', expected 'ok'",
                "JSON field /status is missing",
                "body is not JSON, so /status cannot be read");
    }

    @Test
    void slowAnswerBreaksTheLatencyBound() throws Exception {
        server.route("/slow", n -> new Reply(200, "ok", 400));
        SmokeResult r = run("- name: slow\n  http: { url: /slow, maxLatency: 100ms, timeout: 5s }\n");
        assertThat(r.verdict()).isEqualTo(Verdict.FAIL);
        CheckResult c = r.checks().get(0);
        assertThat(c.outcome()).isEqualTo(CheckOutcome.FAILED);
        assertThat(c.message()).startsWith("took ").endsWith(", more than maxLatency 100ms");
        assertThat(c.evidence().latency()).isGreaterThanOrEqualTo(Duration.ofMillis(400));
    }

    @Test
    void hangingServerTimesOutAtTheCheckTimeout() throws Exception {
        server.route("/hang", n -> Reply.hang());
        long start = System.nanoTime();
        SmokeResult r = run("- name: hangs\n  http: { url: /hang, timeout: 500ms }\n");
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(r.verdict()).isEqualTo(Verdict.FAIL);
        CheckResult c = r.checks().get(0);
        assertThat(c.outcome()).isEqualTo(CheckOutcome.TIMED_OUT);
        assertThat(c.message()).isEqualTo("no answer within 500ms");
        assertThat(c.evidence().status()).isNull();
        assertThat(took).isLessThan(TimeBounds.generous(Duration.ofMillis(500)));
    }

    @Test
    void unreachableTargetFails() throws Exception {
        String dead;
        try (LocalServer other = LocalServer.start()) {
            dead = other.url();
        }
        SmokeResult r = run("- name: gone\n  http: { url: " + dead + "/x, timeout: 2s }\n");
        assertThat(r.checks().get(0).outcome()).isEqualTo(CheckOutcome.FAILED);
        assertThat(r.checks().get(0).message()).contains("ConnectException");
    }

    @Test
    void healthTurnsHealthyAfterAFewPolls() throws Exception {
        server.route("/healthz", n -> n < 4 ? Reply.of(503, "starting") : Reply.of(200, "up"));
        server.route("/api", 200, "ok");
        SmokeResult r = run("""
                - name: healthy
                  health: { url: /healthz, deadline: 5s, interval: 50ms }
                - name: api
                  http: { url: /api }
                """);
        assertThat(r.verdict()).isEqualTo(Verdict.PASS);
        CheckResult h = r.checks().get(0);
        assertThat(h.evidence().attempts()).isEqualTo(4);
        assertThat(h.message()).startsWith("healthy (HTTP 200) after 4 attempts in ");
        assertThat(server.hits("/healthz")).isEqualTo(4);
    }

    @Test
    void neverHealthyTimesOutAndTheOtherChecksDoNotRun() throws Exception {
        server.route("/healthz", 503, "down");
        server.route("/api", 200, "ok");
        SmokeResult r = run("""
                - name: healthy
                  health: { url: /healthz, deadline: 600ms, interval: 100ms }
                - name: api
                  http: { url: /api }
                """);
        assertThat(r.verdict()).isEqualTo(Verdict.FAIL);
        assertThat(r.checks().get(0).outcome()).isEqualTo(CheckOutcome.TIMED_OUT);
        assertThat(r.checks().get(0).message())
                .startsWith("not healthy within its deadline 600ms: last HTTP 503, expected HTTP 200 (");
        assertThat(r.checks().get(1).outcome()).isEqualTo(CheckOutcome.NOT_RUN);
        assertThat(r.checks().get(1).message()).isEqualTo("not run: the target did not become healthy (healthy)");
        assertThat(server.hits("/api")).isZero();
        assertThat(r.reasons()).extracting(x -> x.message())
                .anyMatch(m -> m.contains("1 of 2 checks did not run"));
    }

    @Test
    void commandPassesAndFails() throws Exception {
        SmokeResult r = run("""
                - name: migrations applied
                  command: { run: ["sh", "-c", "echo migrations up to date; echo \\"$SMOKE_MODE\\""], env: { SMOKE_MODE: staging } }
                - name: broken
                  command: { run: ["sh", "-c", "echo failing step >&2; exit 3"] }
                - name: quiet
                  command: { run: ["sh", "-c", "echo nothing"], outputContains: "up to date" }
                """);
        assertThat(r.verdict()).isEqualTo(Verdict.FAIL);
        CheckResult ok = r.checks().get(0);
        assertThat(ok.outcome()).isEqualTo(CheckOutcome.PASSED);
        assertThat(ok.evidence().exitCode()).isZero();
        assertThat(ok.evidence().excerpt()).contains("up to date").contains("staging");
        CheckResult broken = r.checks().get(1);
        assertThat(broken.outcome()).isEqualTo(CheckOutcome.FAILED);
        assertThat(broken.message()).isEqualTo("exit 3, expected 0 (last output: failing step)");
        assertThat(broken.evidence().exitCode()).isEqualTo(3);
        assertThat(r.checks().get(2).message()).isEqualTo("output does not contain 'up to date'");
    }

    @Test
    void commandRunsInTheWorkingDirBelowTheGateFile() throws Exception {
        Files.createDirectories(dir.resolve("tools"));
        Files.writeString(dir.resolve("tools/marker.txt"), "here");
        SmokeResult r = run("- name: wd\n  command: { run: [cat, marker.txt], workingDir: tools, outputContains: here }\n");
        assertThat(r.verdict()).isEqualTo(Verdict.PASS);
    }

    @Test
    void hangingCommandIsKilledWithItsChildrenAtTheTimeout() throws Exception {
        Path pids = dir.resolve("pids");
        long start = System.nanoTime();
        SmokeResult r = run("""
                - name: hangs
                  command: { run: ["sh", "-c", "sleep 30 & echo $! > %s; echo $$ >> %s; wait"], timeout: 700ms }
                """.formatted(pids, pids));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        CheckResult c = r.checks().get(0);
        assertThat(c.outcome()).isEqualTo(CheckOutcome.TIMED_OUT);
        assertThat(c.message()).isEqualTo("killed after 700ms (with every process it started)");
        assertThat(c.evidence().exitCode()).isNull();
        assertThat(took).isLessThan(TimeBounds.generous(Duration.ofMillis(700)));
        Processes.assertNothingLeft(pids);
    }

    /** A child whose parent exited is no longer in the command's process tree; it is still in its session. */
    @Test
    void aDoubleForkedChildIsKilledAtTheTimeoutToo() throws Exception {
        Path pids = dir.resolve("pids");
        SmokeResult r = run("""
                - name: daemonizes
                  command: { run: ["sh", "-c", "sh -c 'sleep 300 & echo $! > %s'; echo $$ >> %s; sleep 30"],
                             timeout: 700ms }
                """.formatted(pids, pids));
        CheckResult c = r.checks().get(0);
        assertThat(c.outcome()).isEqualTo(CheckOutcome.TIMED_OUT);
        assertThat(c.message()).isEqualTo("killed after 700ms (with every process it started)");
        assertThat(Files.readAllLines(pids)).hasSize(2);
        Processes.assertNothingLeft(pids);
    }

    @Test
    void whatACommandLeftRunningIsStoppedAndSaidSo() throws Exception {
        Path pids = dir.resolve("pids");
        SmokeResult r = run("""
                - name: starts a server and exits
                  command: { run: ["sh", "-c", "sleep 300 & echo $! > %s; echo started"], outputContains: started }
                """.formatted(pids));
        CheckResult c = r.checks().get(0);
        assertThat(c.outcome()).isEqualTo(CheckOutcome.PASSED);
        assertThat(c.message()).startsWith("exit 0 in ").endsWith("; it left 1 process running, stopped now");
        Processes.assertNothingLeft(pids);
    }

    @Test
    void theTimeBoxCutsOffWhatStillRuns() throws Exception {
        server.route("/hang", n -> Reply.hang());
        Path pids = dir.resolve("pids");
        long start = System.nanoTime();
        SmokeResult r = run("timeBox: 1s", """
                - name: slow command
                  command: { run: ["sh", "-c", "echo $$ > %s; sleep 30"], timeout: 20s }
                - name: slow request
                  http: { url: /hang, timeout: 20s }
                """.formatted(pids));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(r.verdict()).isEqualTo(Verdict.FAIL);
        assertThat(r.checks()).allSatisfy(c -> {
            assertThat(c.outcome()).isEqualTo(CheckOutcome.TIMED_OUT);
            assertThat(c.message()).startsWith("cut off at the time box (1s)");
        });
        // the box, not the checks' own 20s timeouts, stopped them
        assertThat(took).isLessThan(TimeBounds.generous(Duration.ofSeconds(1)));
        Processes.assertNothingLeft(pids);
    }

    /**
     * Each check waits until all four are under way, so they pass only together: run one after another, the first
     * would wait alone and fail. No clock is read, so a slow machine cannot make it pass or fail.
     */
    @Test
    void independentChecksRunInParallel() throws Exception {
        CountDownLatch requests = new CountDownLatch(3);
        Path commandStarted = dir.resolve("command-started");
        Path requestsArrived = dir.resolve("requests-arrived");
        Function<Integer, Reply> together = n -> {
            requests.countDown();
            boolean all = awaitQuietly(requests) && appears(commandStarted);
            if (all) {
                touch(requestsArrived);
            }
            return all ? Reply.of(200, "together") : Reply.of(503, "alone");
        };
        server.route("/a", together);
        server.route("/b", together);
        server.route("/c", together);
        SmokeResult r = run("""
                - { name: a, http: { url: /a } }
                - { name: b, http: { url: /b } }
                - { name: c, http: { url: /c } }
                - { name: d, command: { run: ["sh", "-c", "touch %s; i=0; while [ ! -e %s ] && [ $i -lt 100 ]; \
                do sleep 0.05; i=$((i+1)); done; [ -e %s ]"] } }
                """.formatted(commandStarted, requestsArrived, requestsArrived));
        assertThat(r.checks()).allSatisfy(c -> assertThat(c.outcome()).as(c.name() + ": " + c.message())
                .isEqualTo(CheckOutcome.PASSED));
        assertThat(r.verdict()).isEqualTo(Verdict.PASS);
        assertThat(r.checks()).extracting(CheckResult::name).containsExactly("a", "b", "c", "d");
    }

    private static boolean awaitQuietly(CountDownLatch latch) {
        try {
            return latch.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static boolean appears(Path file) {
        for (int i = 0; i < 100 && !Files.exists(file); i++) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return Files.exists(file);
    }

    private static void touch(Path file) {
        try {
            Files.writeString(file, "");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void tooManyChecksFailWithTheHeartbeatMessageAndRunNothing() throws Exception {
        server.route("/a", 200, "ok");
        SmokeResult r = run("budget: { maxChecks: 2 }", """
                - { name: a, http: { url: /a } }
                - { name: b, http: { url: /a } }
                - { name: c, http: { url: /a } }
                """);
        assertThat(r.verdict()).isEqualTo(Verdict.FAIL);
        assertThat(r.reasons()).singleElement().satisfies(x -> {
            assertThat(x.type()).isEqualTo(ReasonType.OVER_BUDGET);
            assertThat(x.message()).startsWith("staging is a heartbeat, not a test suite: 3 checks, more than"
                    + " budget.maxChecks 2");
        });
        assertThat(r.checks()).allSatisfy(c -> assertThat(c.outcome()).isEqualTo(CheckOutcome.NOT_RUN));
        assertThat(server.hits("/a")).isZero();
    }

    @Test
    void deadlinesAddingUpBeyondTheBudgetFail() throws Exception {
        SmokeResult r = run("budget: { maxDuration: 1m }", """
                - { name: a, command: { run: ["true"], timeout: 40s } }
                - { name: b, command: { run: ["true"], timeout: 30s } }
                """);
        assertThat(r.verdict()).isEqualTo(Verdict.FAIL);
        assertThat(r.reasons()).singleElement().satisfies(x -> assertThat(x.message()).contains(
                "the checks' deadlines and timeouts add up to 1m10s, more than budget.maxDuration 1m"));
    }

    @Test
    void overBudgetInWarnModePassesWithAWarning() throws Exception {
        server.route("/a", 200, "ok");
        SmokeResult r = run("budget: { maxChecks: 1, onExceed: warn }", """
                - { name: a, http: { url: /a } }
                - { name: b, http: { url: /a } }
                """);
        assertThat(r.verdict()).isEqualTo(Verdict.PASS);
        assertThat(r.checks()).allSatisfy(c -> assertThat(c.passed()).isTrue());
        assertThat(r.warnings()).singleElement().satisfies(x -> {
            assertThat(x.type()).isEqualTo(ReasonType.OVER_BUDGET);
            assertThat(x.message()).startsWith("staging is a heartbeat, not a test suite");
        });
        assertThat(SmokeReports.summary(r)).contains("WARN staging is a heartbeat");
    }

    @Test
    void aRunLongerThanTheBudgetFails() throws Exception {
        SmokeResult r = run("budget: { maxDuration: 1s }", """
                - { name: a, command: { run: [sleep, "5"], timeout: 1s } }
                """);
        // Within budget on paper (1s), but killing the command at 1s makes the run itself a little longer.
        assertThat(r.reasons()).anySatisfy(x -> {
            assertThat(x.type()).isEqualTo(ReasonType.OVER_BUDGET);
            assertThat(x.message()).contains("the run took").contains("longer than budget.maxDuration 1s");
        });
        assertThat(r.verdict()).isEqualTo(Verdict.FAIL);
    }

    @Test
    void secretHeadersAreSentButNeverReported() throws Exception {
        server.route("/echo", n -> Reply.of(401, "you sent " + server.last("/echo").headers().get("authorization")));
        SmokeResult r = run("""
                - name: echo
                  http: { url: /echo, headersFromEnv: { Authorization: STAGING_TOKEN } }
                """);
        assertThat(server.last("/echo").headers()).containsEntry("authorization", "Bearer s3cr3t-t0ken");
        assertThat(r.checks().get(0).evidence().excerpt()).isEqualTo("you sent Bearer ****");
        assertThat(SmokeReports.json(r)).doesNotContain("s3cr3t");
        assertThat(SmokeReports.junit(r)).doesNotContain("s3cr3t");
        assertThat(SmokeReports.summary(r)).doesNotContain("s3cr3t");
    }

    /** A server may echo only the credential after the scheme, or encode it; none of that may reach a report. */
    @Test
    void theCredentialInsideASecretHeaderIsMaskedAloneAndEncoded() throws Exception {
        String token = "t0k/en+S3CR3T=";
        String basic = java.util.Base64.getEncoder().encodeToString("alice:pw-S3CR3T".getBytes());
        SmokeGate echoing = new SmokeGate(Clock.fixed(T0, ZoneOffset.UTC),
                Map.of("API_TOKEN", "Bearer " + token, "API_BASIC", "Basic " + basic));
        server.route("/echo", n -> Reply.of(200, "bearer " + token + " b64 "
                + java.util.Base64.getEncoder().encodeToString(token.getBytes()) + " url "
                + java.net.URLEncoder.encode(token, java.nio.charset.StandardCharsets.UTF_8) + " basic " + basic
                + " password pw-S3CR3T"));
        GateFile file = GateFiles.load(dir, """
                smoke:
                  target: %s
                  checks:
                    - { name: bearer, http: { url: /echo, headersFromEnv: { Authorization: API_TOKEN } } }
                    - { name: basic, http: { url: /echo, headersFromEnv: { X-Basic: API_BASIC } } }
                """.formatted(server.url()));
        SmokeResult r = echoing.run(file.ref(), file.requireSmoke());

        assertThat(r.verdict()).isEqualTo(Verdict.PASS);
        assertThat(r.checks()).allSatisfy(c -> assertThat(c.evidence().excerpt())
                .isEqualTo("bearer **** b64 **** url **** basic **** password ****"));
        Path html = dir.resolve("smoke.html");
        io.prodgate.core.report.SmokeHtml.write(html, r, Duration.ofMinutes(5));
        for (String output : new String[] {SmokeReports.json(r), SmokeReports.junit(r), SmokeReports.summary(r),
                Files.readString(html)}) {
            assertThat(output).doesNotContain("S3CR3T", "UzNDUjNU", "%2F", basic);
        }
    }

    @Test
    void anUnsetSecretIsAGateFileError() {
        GateFile file = GateFiles.load(dir, """
                smoke:
                  target: %s
                  checks:
                    - { name: a, http: { url: /a, headersFromEnv: { Authorization: NOT_SET_ANYWHERE } } }
                """.formatted(server.url()));
        assertThatThrownBy(() -> gate.run(file.ref(), file.requireSmoke())).isInstanceOf(GateFileException.class)
                .hasMessage(file.name() + ": smoke.checks[0].http.headersFromEnv.Authorization: environment variable"
                        + " NOT_SET_ANYWHERE is not set");
    }

    @Test
    void relativeUrlsNeedATarget() {
        GateFile file = GateFiles.load(dir, """
                smoke:
                  checks:
                    - { name: a, http: { url: /a } }
                """);
        assertThatThrownBy(() -> gate.run(file.ref(), file.requireSmoke())).isInstanceOf(GateFileException.class)
                .hasMessageContaining("smoke.target: is required for relative URLs such as /a");
    }

    @Test
    void theTargetCanBeReplaced() throws Exception {
        server.route("/a", 200, "ok");
        GateFile file = GateFiles.load(dir, """
                smoke:
                  target: http://127.0.0.1:1/
                  checks:
                    - { name: a, http: { url: /a } }
                """);
        SmokeResult r = gate.run(file.ref(), file.requireSmoke().withTarget(server.url() + "/"));
        assertThat(r.verdict()).isEqualTo(Verdict.PASS);
        assertThat(r.target()).isEqualTo(server.url() + "/");
    }
}
