package io.prodgate.core.rollback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prodgate.core.action.ActionRecord;
import io.prodgate.core.config.GateFileException;
import io.prodgate.core.exec.Processes;
import io.prodgate.core.gatefile.GateFile;
import io.prodgate.core.gatefile.GateFiles;
import io.prodgate.core.http.LocalServer.Reply;
import io.prodgate.core.http.LocalServer;
import io.prodgate.core.report.RollbackHtml;
import io.prodgate.core.report.RollbackReports;
import io.prodgate.core.util.TimeBounds;
import io.prodgate.core.verdict.ReasonType;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class RollbackGateTest {
    private static final Instant T0 = Instant.parse("2026-01-02T03:04:05Z");

    @TempDir
    Path dir;

    private FakeService service;
    private final RollbackGate gate = new RollbackGate(Clock.fixed(T0, ZoneOffset.UTC),
            Map.of("DEPLOY_TOKEN", "tok-9f8e7d"));

    @AfterEach
    void stop() {
        if (service != null) {
            service.close();
        }
    }

    private GateFile file(String rollback) {
        service = service == null ? new FakeService(dir) : service;
        return GateFiles.load(dir, ("rollback:\n  target: " + service.url() + "\n" + rollback.indent(2))
                .replace("$SWITCH", service.switchFile().toString()));
    }

    private static final String VERIFY = """
            deadline: 3s
            expectVersion: "1.4.1"
            version: { http: { url: /version, jsonField: /version } }
            health: { url: /healthz, expectStatus: 200 }
            pollInterval: 50ms
            """;

    @Test
    void aCommandRollbackIsProvenWithItsEvidence() throws Exception {
        GateFile f = file("""
                action: { command: { run: ["sh", "-c", "echo rolling back; echo 1.4.1 > $SWITCH"], timeout: 5s } }
                """ + VERIFY);
        RollbackProof p = prove(gate, f);

        assertThat(p.proven()).isTrue();
        assertThat(p.format()).isEqualTo(1);
        assertThat(p.gateFile()).isEqualTo(f.name());
        assertThat(p.gateFileDigest()).isEqualTo(f.digest());
        assertThat(p.target()).isEqualTo(service.url());
        assertThat(p.startedAt()).isEqualTo(T0);
        // from the action's start until healthy, so the action's own time is part of it
        assertThat(p.timeToRollBack()).isNotNull().isEqualTo(p.rollback().timeToVerified())
                .isGreaterThanOrEqualTo(p.rollback().action().duration());
        assertThat(p.rollForward()).isNull();
        assertThat(p.reasons()).singleElement().satisfies(r -> {
            assertThat(r.type()).isEqualTo(ReasonType.HELD);
            assertThat(r.message()).startsWith("rolled back to 1.4.1 in ");
        });
        PhaseProof back = p.rollback();
        assertThat(back.phase()).isEqualTo("rollback");
        assertThat(back.versionBefore()).isEqualTo("1.4.2");
        assertThat(back.versionAfter()).isEqualTo("1.4.1");
        assertThat(back.verified()).isTrue();
        assertThat(back.verifiedAt()).isEqualTo(T0);
        assertThat(back.action().kind()).isEqualTo("command");
        assertThat(back.action().argv()).containsExactly("sh", "-c",
                "echo rolling back; echo 1.4.1 > " + service.switchFile());
        assertThat(back.action().exitCode()).isZero();
        assertThat(back.action().excerpt()).isEqualTo("rolling back");
        // Two warm-up polls answer 503, then the service is healthy.
        assertThat(back.pollCount()).isEqualTo(3);
        assertThat(back.polls()).extracting(PollEvidence::healthStatus).containsExactly(503, 503, 200);
        assertThat(back.polls()).allSatisfy(e -> assertThat(e.version()).isEqualTo("1.4.1"));

        Path proof = dir.resolve("proofs/rollback-proof.json");
        RollbackProofs.write(proof, p);
        assertThat(RollbackProofs.read(proof)).isEqualTo(p);
        assertThat(Files.readString(proof)).contains("\"proven\" : true").contains("\"timeToRollBack\" : \"PT");
    }

    @Test
    void anHttpRollbackSendsItsSecretButNeverRecordsIt() throws Exception {
        GateFile f = file("""
                action: { http: { url: /deploy/rollback, body: '{"to":"1.4.1"}', expectStatus: 202,
                                  headersFromEnv: { Authorization: DEPLOY_TOKEN } } }
                """ + VERIFY);
        RollbackProof p = prove(gate, f);
        assertThat(p.proven()).isTrue();
        assertThat(service.server.last("/deploy/rollback").headers()).containsEntry("authorization", "tok-9f8e7d");
        assertThat(service.server.last("/deploy/rollback").method()).isEqualTo("POST");
        ActionRecord a = p.rollback().action();
        assertThat(a.kind()).isEqualTo("http");
        assertThat(a.method()).isEqualTo("POST");
        assertThat(a.url()).isEqualTo(service.url() + "/deploy/rollback");
        assertThat(a.status()).isEqualTo(202);
        assertThat(a.argv()).isNull();
        assertThat(RollbackProofs.json(p)).doesNotContain("tok-9f8e7d");
    }

    /** An action API that echoes only the credential after the scheme, plain or encoded, leaks nothing either. */
    @Test
    void theCredentialInsideASecretHeaderIsMaskedInTheProofAndReports() throws Exception {
        String token = "dpl/9f8e+S3CR3T";
        RollbackGate echoing = new RollbackGate(Clock.fixed(T0, ZoneOffset.UTC),
                Map.of("DEPLOY_AUTH", "Bearer " + token));
        GateFile f = file("""
                action: { http: { url: /deploy/echo, expectStatus: 202,
                                  headersFromEnv: { Authorization: DEPLOY_AUTH } } }
                """ + VERIFY);
        service.server.route("/deploy/echo", n -> {
            try {
                Files.writeString(service.switchFile(), "1.4.1");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return Reply.of(202, "ok for " + token + " ("
                    + java.util.Base64.getEncoder().encodeToString(token.getBytes()) + ", "
                    + java.net.URLEncoder.encode(token, java.nio.charset.StandardCharsets.UTF_8) + ")");
        });
        RollbackProof p = prove(echoing, f);

        assertThat(p.proven()).isTrue();
        assertThat(p.rollback().action().excerpt()).isEqualTo("ok for **** (****, ****)");
        Path proof = dir.resolve("proof.json");
        RollbackProofs.write(proof, p);
        for (String output : new String[] {Files.readString(proof), RollbackReports.junit(p),
                RollbackReports.summary(p), RollbackHtml.render(p)}) {
            assertThat(output).doesNotContain("S3CR3T", "UzNDUjNU", "%2F");
        }
    }

    /** A rollback script that leaves a process behind (a port-forward, a watcher) must not leave it on the agent. */
    @Test
    void whatARollbackCommandLeftRunningIsStoppedAndRecorded() throws Exception {
        Path pids = dir.resolve("pids");
        GateFile f = file("""
                action: { command: { run: ["sh", "-c", "sh -c 'sleep 300 & echo $! > %s'; echo 1.4.1 > $SWITCH"] } }
                """.formatted(pids) + VERIFY);
        RollbackProof p = prove(gate, f);
        assertThat(p.proven()).isTrue();
        assertThat(p.rollback().action().message()).isEqualTo("exit 0; it left 1 process running, stopped now");
        Processes.assertNothingLeft(pids);
    }

    @Test
    void aFailingActionIsNotAProof() throws Exception {
        GateFile f = file("""
                action: { command: { run: ["sh", "-c", "echo cannot reach the cluster >&2; exit 3"] } }
                """ + VERIFY);
        RollbackProof p = prove(gate, f);
        assertThat(p.proven()).isFalse();
        assertThat(p.timeToRollBack()).isNull();
        assertThat(p.rollback().action().succeeded()).isFalse();
        assertThat(p.rollback().action().exitCode()).isEqualTo(3);
        assertThat(p.rollback().action().excerpt()).isEqualTo("cannot reach the cluster");
        assertThat(p.rollback().pollCount()).isZero();
        assertThat(p.reasons()).singleElement().satisfies(r -> {
            assertThat(r.type()).isEqualTo(ReasonType.CHECK_FAILED);
            assertThat(r.message()).isEqualTo("rollback action failed: exit 3, expected 0");
        });
    }

    @Test
    void aFailingHttpActionIsNotAProof() throws Exception {
        RollbackProof p = prove(gate, file("action: { http: { url: /deploy/broken } }\n" + VERIFY));
        assertThat(p.proven()).isFalse();
        assertThat(p.reasons().get(0).message()).isEqualTo("rollback action failed: HTTP 500, expected 200");
        assertThat(p.rollback().action().excerpt()).isEqualTo("deploy API down");
    }

    @Test
    void anActionThatHangsIsKilledAtItsTimeout() throws Exception {
        Path pids = dir.resolve("pids");
        long start = System.nanoTime();
        RollbackProof p = prove(gate, file("""
                action: { command: { run: ["sh", "-c", "echo $$ > %s; sleep 30"], timeout: 500ms } }
                """.formatted(pids) + VERIFY));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(TimeBounds.generous(Duration.ofMillis(500)));
        assertThat(p.proven()).isFalse();
        assertThat(p.rollback().action().timedOut()).isTrue();
        assertThat(p.reasons().get(0).message()).isEqualTo("rollback action failed: timed out after 500ms and was"
                + " killed with every process it started");
        Processes.assertNothingLeft(pids);
    }

    @Test
    void theWrongVersionUntilTheDeadlineIsNotAProof() throws Exception {
        long start = System.nanoTime();
        RollbackProof p = prove(gate, file("action: { command: { run: [\"true\"] } }\n"
                + VERIFY.replace("deadline: 3s", "deadline: 1s").replace("pollInterval: 50ms", "pollInterval: 200ms")));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(took).isBetween(Duration.ofMillis(900), TimeBounds.generous(Duration.ofSeconds(1)));
        assertThat(p.proven()).isFalse();
        PhaseProof back = p.rollback();
        assertThat(back.versionBefore()).isEqualTo("1.4.2");
        assertThat(back.versionAfter()).isEqualTo("1.4.2");
        assertThat(back.pollCount()).isBetween(2, 8);
        assertThat(back.polls()).allSatisfy(e -> assertThat(e.versionOk()).isFalse());
        assertThat(p.reasons()).singleElement().satisfies(r -> assertThat(r.message())
                .startsWith("the target still reports version 1.4.2, expected 1.4.1, within 1s after the rollback"
                        + " action ("));
    }

    @Test
    void healthThatDoesNotComeBackIsNotAProof() throws Exception {
        GateFile f = file("action: { http: { url: /deploy/rollback, expectStatus: 202 } }\n"
                + VERIFY.replace("deadline: 3s", "deadline: 1s"));
        service.healthBroken.set(true);
        RollbackProof p = prove(gate, f);
        assertThat(p.proven()).isFalse();
        assertThat(p.rollback().versionAfter()).isEqualTo("1.4.1");
        assertThat(p.reasons().get(0).message()).startsWith("the target reports 1.4.1 but its health check answered"
                + " HTTP 503, not back to HTTP 200 within 1s after the rollback action (");
    }

    @Test
    void theRollForwardIsVerifiedTheSameWay() throws Exception {
        RollbackProof p = prove(gate, file("""
                action: { http: { url: /deploy/rollback, expectStatus: 202 } }
                rollForward:
                  action: { command: { run: ["sh", "-c", "echo 1.4.2 > $SWITCH"] } }
                  expectVersion: "1.4.2"
                """ + VERIFY));
        assertThat(p.proven()).isTrue();
        PhaseProof fwd = p.rollForward();
        assertThat(fwd.phase()).isEqualTo("roll-forward");
        assertThat(fwd.versionBefore()).isEqualTo("1.4.1");
        assertThat(fwd.versionAfter()).isEqualTo("1.4.2");
        assertThat(fwd.verified()).isTrue();
        assertThat(fwd.timeToVerified()).isNotNull();
        assertThat(fwd.deadline()).isEqualTo(Duration.ofSeconds(3));
        assertThat(p.reasons().get(0).message()).contains("rolled forward to 1.4.2 in ");
        assertThat(RollbackReports.summary(p)).contains("PASS roll-forward verified: 1.4.1 -> 1.4.2 (expected 1.4.2)")
                .contains("rollback PROVEN");
    }

    @Test
    void aFailedRollForwardLeavesTheProofUnproven() throws Exception {
        RollbackProof p = prove(gate, file("""
                action: { http: { url: /deploy/rollback, expectStatus: 202 } }
                rollForward:
                  action: { command: { run: ["true"] } }
                  expectVersion: "1.4.2"
                  deadline: 1s
                """ + VERIFY));
        assertThat(p.proven()).isFalse();
        assertThat(p.rollback().verified()).isTrue();
        assertThat(p.timeToRollBack()).isNotNull();
        assertThat(p.rollForward().verified()).isFalse();
        assertThat(p.reasons()).singleElement().satisfies(r -> {
            assertThat(r.subject()).isEqualTo("roll-forward");
            assertThat(r.message()).startsWith("the target still reports version 1.4.1, expected 1.4.2, within 1s"
                    + " after the roll-forward action");
        });
        assertThat(RollbackReports.junit(p)).contains("name=\"roll-forward verified\"")
                .contains("<failure message=\"the target still reports version 1.4.1");
    }

    @Test
    void aPlainTextVersionEndpointWithoutHealthIsEnough() throws Exception {
        RollbackProof p = prove(gate, file("""
                action: { http: { url: /deploy/rollback, expectStatus: 202 } }
                expectVersion: "1.4.1"
                version: { http: { url: /version.txt } }
                pollInterval: 50ms
                deadline: 2s
                """));
        assertThat(p.proven()).isTrue();
        assertThat(p.rollback().polls()).singleElement().satisfies(e -> {
            assertThat(e.version()).isEqualTo("1.4.1");
            assertThat(e.healthStatus()).isNull();
            assertThat(e.healthOk()).isTrue();
        });
    }

    @Test
    void promqlVersionAndSloQueriesUseThePrometheusSection() throws Exception {
        service = new FakeService(dir);
        String errorRate = "0.002";
        try (LocalServer prom = LocalServer.start()) {
            prom.route("/api/v1/query", n -> {
                String q = URLDecoder.decode(prom.last("/api/v1/query").body(), StandardCharsets.UTF_8);
                if (q.contains("build_info")) {
                    return Reply.of(200, vector("{\"version\":\"" + service.version.get() + "\",\"app\":\"checkout\"}",
                            "1"));
                }
                return Reply.of(200, vector("{}", q.contains("latency") ? "0.9" : errorRate));
            });
            GateFile f = GateFiles.load(dir, """
                    prometheus: { url: %s, retries: 0, timeout: 2s }
                    rollback:
                      target: %s
                      action: { http: { url: /deploy/rollback, expectStatus: 202 } }
                      expectVersion: "1.4.1"
                      version: { promql: 'max by (version) (build_info{${selector}})', label: version, selector: 'app="checkout"' }
                      pollInterval: 50ms
                      deadline: 2s
                      sloQueries:
                        - { name: errors, query: 'sum(rate(errors_total[1m]))', max: 0.01 }
                        - { name: latency, query: 'histogram_quantile(0.99, latency)', max: 0.5 }
                    """.formatted(prom.url(), service.url()));
            RollbackProof p = prove(gate, f);
            assertThat(p.rollback().versionBefore()).isEqualTo("1.4.2");
            assertThat(p.rollback().versionAfter()).isEqualTo("1.4.1");
            assertThat(p.target()).isEqualTo(service.url());
            assertThat(p.rollback().slos()).extracting(SloCheck::name, SloCheck::value, SloCheck::held)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("errors", 0.002, true),
                            org.assertj.core.groups.Tuple.tuple("latency", 0.9, false));
            assertThat(p.proven()).isFalse();
            assertThat(p.reasons()).singleElement().satisfies(r -> {
                assertThat(r.type()).isEqualTo(ReasonType.BREACH);
                assertThat(r.message()).isEqualTo("rollback reached 1.4.1 but SLO latency does not hold: 0.9 is not"
                        + " at most 0.5");
            });
        }
    }

    @Test
    void promqlWithoutAPrometheusSectionIsAGateFileError() throws Exception {
        String rollback = """
                rollback:
                  action: { command: { run: ["true"] } }
                  expectVersion: "1.4.1"
                  version: { promql: 'max by (version) (build_info)', label: version }
                """;
        // The loader refuses it, so that validate reports what the rollback gate would refuse.
        Path bad = GateFiles.write(dir, rollback);
        assertThatThrownBy(() -> io.prodgate.core.gatefile.GateFileLoader.load(bad))
                .isInstanceOf(GateFileException.class)
                .hasMessage(bad + ": rollback.version.promql: reads from Prometheus, but the file has no prometheus"
                        + " section (url and credentials)");
        // A caller that passes no connection still gets the gate's own refusal.
        GateFile f = GateFiles.load(dir, "prometheus: { url: 'http://127.0.0.1:9' }\n" + rollback);
        assertThatThrownBy(() -> gate.run(f.ref(), java.util.Optional.empty(), f.requireRollback()))
                .isInstanceOf(GateFileException.class)
                .hasMessage(f.name() + ": prometheus: is required: rollback.version.promql and rollback.sloQueries read"
                        + " from it");
    }

    private static String vector(String labels, String value) {
        return "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":" + labels
                + ",\"value\":[1767323045,\"" + value + "\"]}]}}";
    }

    /** Proves the file's rollback section, as the CLI does. */
    static RollbackProof prove(RollbackGate gate, GateFile file) throws GateFileException {
        return gate.run(file.ref(), file.prometheus(), file.requireRollback());
    }
}
