package io.prodgate.core.action;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prodgate.core.config.GateFileException;
import io.prodgate.core.config.SecretRef;
import io.prodgate.core.config.SecretSet;
import io.prodgate.core.exec.CommandSpec;
import io.prodgate.core.exec.Processes;
import io.prodgate.core.http.HttpProbe;
import io.prodgate.core.http.HttpRequestSpec;
import io.prodgate.core.http.LocalServer;
import io.prodgate.core.http.LocalServer.Reply;
import io.prodgate.core.secret.Secret;
import io.prodgate.core.util.TimeBounds;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class ActionRunnerTest {
    private static final Instant T0 = Instant.parse("2026-01-02T03:04:05Z");
    private static final String TOKEN = "tok-9f8e7d";

    @TempDir
    Path dir;

    private final LocalServer server = LocalServer.start();
    private SecretSet secrets;
    private HttpProbe probe;
    private ActionRunner runner;

    private void start(Map<String, String> env) {
        secrets = new SecretSet("gate.yaml", env, dir);
        probe = new HttpProbe(secrets);
        runner = new ActionRunner(Clock.fixed(T0, ZoneOffset.UTC), dir, secrets, probe, Optional.of(server.url()));
    }

    @AfterEach
    void stop() {
        if (probe != null) {
            probe.close();
        }
        server.close();
    }

    private static Action.Command command(Duration timeout, String... run) {
        return new Action.Command(new CommandSpec(List.of(run), timeout, Map.of(), Optional.empty()), 0);
    }

    private static Action.Http http(String method, String url, Optional<String> body, int expectStatus) {
        return new Action.Http(new HttpRequestSpec(method, url, Map.of(), Map.of(), body, Duration.ofSeconds(5)),
                expectStatus);
    }

    @Test
    void aCommandThatExitsAsExpectedSucceeds() {
        start(Map.of());
        ActionRecord r = runner.run(command(Duration.ofSeconds(10), "sh", "-c", "echo shifted"), Map.of());
        assertThat(r.kind()).isEqualTo("command");
        assertThat(r.succeeded()).isTrue();
        assertThat(r.exitCode()).isZero();
        assertThat(r.message()).isEqualTo("exit 0");
        assertThat(r.excerpt()).isEqualTo("shifted");
        assertThat(r.startedAt()).isEqualTo(T0);
        assertThat(r.finishedAt()).isEqualTo(T0);
        assertThat(r.method()).isNull();
        assertThat(r.url()).isNull();
    }

    @Test
    void aCommandThatExitsOtherwiseFailsWithTheEndOfItsOutput() {
        start(Map.of());
        Action.Command c = command(Duration.ofSeconds(10), "sh", "-c",
                "i=0; while [ $i -lt 200 ]; do echo line $i; i=$((i+1)); done; echo no such deployment >&2; exit 3");
        ActionRecord r = runner.run(c, Map.of());
        assertThat(r.succeeded()).isFalse();
        assertThat(r.timedOut()).isFalse();
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.message()).isEqualTo("exit 3, expected 0");
        assertThat(r.argv()).isEqualTo(c.command().run());
        // bounded: the end, where a command says what went wrong
        assertThat(r.excerpt()).startsWith("...").endsWith("line 199\nno such deployment").hasSizeLessThan(510);
    }

    @Test
    void anExpectedNonZeroExitSucceeds() {
        start(Map.of());
        Action.Command c = new Action.Command(new CommandSpec(List.of("sh", "-c", "exit 2"), Duration.ofSeconds(10),
                Map.of(), Optional.empty()), 2);
        assertThat(runner.run(c, Map.of()).succeeded()).isTrue();
    }

    @Test
    void aCommandThatHangsIsKilledAtItsTimeout() throws Exception {
        start(Map.of());
        Path pids = dir.resolve("pids");
        long start = System.nanoTime();
        ActionRecord r = runner.run(command(Duration.ofMillis(300), "sh", "-c", "echo $$ > " + pids + "; sleep 30"),
                Map.of());
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(TimeBounds.generous(Duration.ofMillis(300)));
        assertThat(r.succeeded()).isFalse();
        assertThat(r.timedOut()).isTrue();
        assertThat(r.exitCode()).isNull();
        assertThat(r.message()).isEqualTo("timed out after 300ms and was killed with every process it started");
        Processes.assertNothingLeft(pids);
    }

    @Test
    void aCommandThatCannotStartSaysWhy() {
        start(Map.of());
        ActionRecord r = runner.run(command(Duration.ofSeconds(5), "no-such-program-prodgate"), Map.of());
        assertThat(r.succeeded()).isFalse();
        assertThat(r.exitCode()).isNull();
        assertThat(r.message()).startsWith("cannot start no-such-program-prodgate");
    }

    @Test
    void anHttpActionCallsTheTargetAndChecksTheStatus() {
        start(Map.of());
        server.route("/traffic", 202, "weight set").route("/broken", 503, "deploy API down");

        ActionRecord ok = runner.run(http("PUT", "/traffic", Optional.of("{\"weight\":10}"), 202), Map.of());
        assertThat(ok.kind()).isEqualTo("http");
        assertThat(ok.succeeded()).isTrue();
        assertThat(ok.method()).isEqualTo("PUT");
        assertThat(ok.url()).isEqualTo(server.url() + "/traffic");
        assertThat(ok.status()).isEqualTo(202);
        assertThat(ok.message()).isEqualTo("HTTP 202");
        assertThat(ok.excerpt()).isEqualTo("weight set");
        assertThat(ok.argv()).isNull();
        assertThat(server.last("/traffic").method()).isEqualTo("PUT");
        assertThat(server.last("/traffic").body()).isEqualTo("{\"weight\":10}");

        ActionRecord bad = runner.run(http("POST", server.url() + "/broken", Optional.empty(), 200), Map.of());
        assertThat(bad.succeeded()).isFalse();
        assertThat(bad.status()).isEqualTo(503);
        assertThat(bad.message()).isEqualTo("HTTP 503, expected 200");
        assertThat(bad.excerpt()).isEqualTo("deploy API down");
    }

    @Test
    void anHttpActionThatGetsNoAnswerTimesOut() {
        start(Map.of());
        server.route("/hang", n -> Reply.hang());
        Action.Http h = new Action.Http(new HttpRequestSpec("POST", "/hang", Map.of(), Map.of(), Optional.empty(),
                Duration.ofMillis(300)), 200);
        ActionRecord r = runner.run(h, Map.of());
        assertThat(r.succeeded()).isFalse();
        assertThat(r.timedOut()).isTrue();
        assertThat(r.status()).isNull();
        assertThat(r.message()).isEqualTo("timed out: no answer within 300ms");
    }

    @Test
    void variablesAreSubstitutedInTheArgumentsAndRun() {
        start(Map.of());
        Action a = command(Duration.ofSeconds(10), "sh", "-c", "echo \"$0\" \"$1\"", "--weight=${weight}",
                "${weight}%").withVariables(Map.of("weight", "10"));
        ActionRecord r = runner.run(a, Map.of());
        assertThat(r.argv()).containsExactly("sh", "-c", "echo \"$0\" \"$1\"", "--weight=10", "10%");
        assertThat(r.excerpt()).isEqualTo("--weight=10 10%");
    }

    @Test
    void variablesAreSubstitutedInTheUrlAndBodyOfACall() {
        start(Map.of());
        server.route("/weights/0.5", 200, "ok");
        Action a = http("POST", "/weights/${weight}", Optional.of("{\"canary\": ${weight}}"), 200)
                .withVariables(Map.of("weight", "0.5"));
        ActionRecord r = runner.run(a, Map.of());
        assertThat(r.succeeded()).isTrue();
        assertThat(r.url()).isEqualTo(server.url() + "/weights/0.5");
        assertThat(server.last("/weights/0.5").body()).isEqualTo("{\"canary\": 0.5}");
    }

    @Test
    void substitutionChangesOnlyArgumentsUrlAndBody() {
        CommandSpec spec = new CommandSpec(List.of("set-weight", "${weight}", "${other}"), Duration.ofSeconds(7),
                Map.of("W", "${weight}"), Optional.of(Path.of("${weight}")));
        Action.Command c = new Action.Command(spec, 4).withVariables(Map.of("weight", "10"));
        assertThat(c.command().run()).containsExactly("set-weight", "10", "${other}");
        assertThat(c.command().env()).containsEntry("W", "${weight}");
        assertThat(c.command().workingDir()).contains(Path.of("${weight}"));
        assertThat(c.command().timeout()).isEqualTo(Duration.ofSeconds(7));
        assertThat(c.expectExit()).isEqualTo(4);

        SecretRef ref = new SecretRef(SecretRef.Kind.ENV, "TOKEN", "canary.traffic.set.http.headersFromEnv.X");
        HttpRequestSpec r = new HttpRequestSpec("PATCH", "https://lb.example/${weight}?w=${weight}",
                Map.of("X-Weight", "${weight}"), Map.of("X-Token", ref), Optional.of("${weight}"),
                Duration.ofSeconds(3));
        Action.Http h = new Action.Http(r, 204).withVariables(Map.of("weight", "25"));
        assertThat(h.request().url()).isEqualTo("https://lb.example/25?w=25");
        assertThat(h.request().body()).contains("25");
        assertThat(h.request().headers()).containsEntry("X-Weight", "${weight}");
        assertThat(h.request().secretHeaders()).containsEntry("X-Token", ref);
        assertThat(h.request().method()).isEqualTo("PATCH");
        assertThat(h.request().timeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(h.expectStatus()).isEqualTo(204);
        assertThat(new Action.Http(r, 204).withVariables(Map.of()).request()).isEqualTo(r);
    }

    @Test
    void valuesAreInsertedLiterallyInOnePass() {
        assertThat(Placeholders.substitute("a=${a} b=${b}", Map.of("a", "${b}", "b", "$1\\x")))
                .isEqualTo("a=${b} b=$1\\x");
        assertThat(Placeholders.substitute("${weight}${weight}", Map.of("weight", "5"))).isEqualTo("55");
        assertThat(Placeholders.substitute("$weight ${ weight} $${weight}", Map.of("weight", "5")))
                .isEqualTo("$weight ${ weight} $5");
        assertThat(Placeholders.names("x ${weight} ${} ${wieght} ${weight}"))
                .containsExactly("weight", "", "wieght", "weight");
        assertThat(Placeholders.hasUnclosed("w=${weight")).isTrue();
        assertThat(Placeholders.hasUnclosed("w=${weight} and ${x")).isTrue();
        assertThat(Placeholders.hasUnclosed("w=${weight} } $")).isFalse();
    }

    @Test
    void secretsAreSentButNeverRecorded() throws Exception {
        start(Map.of("DEPLOY_AUTH", "Bearer " + TOKEN));
        server.route("/echo/10", n -> Reply.of(200, "set by " + server.last("/echo/10").headers().get("authorization")));
        SecretRef ref = new SecretRef(SecretRef.Kind.ENV, "DEPLOY_AUTH", "canary.traffic.set.http.headersFromEnv"
                + ".Authorization");
        Action h = new Action.Http(new HttpRequestSpec("POST", "/echo/${weight}", Map.of(),
                Map.of("Authorization", ref), Optional.empty(), Duration.ofSeconds(5)), 200);
        Map<String, Secret> headers = runner.resolve(h);

        ActionRecord r = runner.run(h.withVariables(Map.of("weight", "10")), headers);
        assertThat(server.last("/echo/10").headers()).containsEntry("authorization", "Bearer " + TOKEN);
        assertThat(r.succeeded()).isTrue();
        assertThat(r.excerpt()).isEqualTo("set by Bearer ****");

        // a command that prints a secret of the run, in its output and in its message
        Action c = new Action.Command(new CommandSpec(List.of("sh", "-c", "echo using $T; exit 1"),
                Duration.ofSeconds(10), Map.of("T", TOKEN), Optional.empty()), 0);
        ActionRecord cr = runner.run(c, Map.of());
        assertThat(cr.excerpt()).isEqualTo("using ****");
        assertThat(runner.run(command(Duration.ofSeconds(5), "/no/such/" + TOKEN), Map.of()).message())
                .doesNotContain(TOKEN).contains("****");

        // credentials in a URL are not recorded either
        ActionRecord u = runner.run(http("POST", server.url().replace("://", "://user:pw-secret@") + "/echo/10",
                Optional.empty(), 200), headers);
        assertThat(u.url()).isEqualTo(server.url() + "/echo/10");
    }

    @Test
    void anUnsetSecretStopsBeforeAnythingRuns() throws Exception {
        start(Map.of());
        SecretRef ref = new SecretRef(SecretRef.Kind.ENV, "DEPLOY_AUTH", "rollback.action.http.headersFromEnv"
                + ".Authorization");
        Action h = new Action.Http(new HttpRequestSpec("POST", "/x", Map.of(), Map.of("Authorization", ref),
                Optional.empty(), Duration.ofSeconds(5)), 200);
        assertThatThrownBy(() -> runner.resolve(h)).isInstanceOf(GateFileException.class)
                .hasMessageContaining("rollback.action.http.headersFromEnv.Authorization");
        assertThat(runner.resolve(command(Duration.ofSeconds(1), "true"))).isEmpty();
    }

    @Test
    void aWorkingDirIsBelowTheBaseDir() throws Exception {
        start(Map.of());
        Files.createDirectories(dir.resolve("deploy"));
        Action c = new Action.Command(new CommandSpec(List.of("pwd"), Duration.ofSeconds(5), Map.of(),
                Optional.of(Path.of("deploy"))), 0);
        assertThat(Path.of(runner.run(c, Map.of()).excerpt()).toRealPath())
                .isEqualTo(dir.resolve("deploy").toRealPath());
    }
}
