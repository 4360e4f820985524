package io.prodgate.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.prodgate.testkit.Behaviour;
import io.prodgate.testkit.LocalPrometheus;
import io.prodgate.testkit.SampleService;
import io.prodgate.testkit.WellFormedXml;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The canary command against a real Prometheus with backfilled history: replays of healthy, regressed, silent and
 * thin canaries, with their verdicts, exit codes and reports.
 */
class CanaryReplayIntegrationTest {
    static final long T0 = (Instant.now().getEpochSecond() - 4 * 3600) / 60 * 60;
    static LocalPrometheus prometheus;
    @TempDir
    static Path dir;

    @BeforeAll
    static void startPrometheus() throws Exception {
        assumeTrue(LocalPrometheus.isInstalled(), LocalPrometheus.INSTALL_HINT);
        Path om = new SyntheticHistory()
                .scenario("healthy", T0, 2400, 80, 0.003, 20, 0.003, 0.02, 1)
                .scenario("errors", T0, 2400, 80, 0.003, 20, 0.06, 0.02, 2)
                .scenario("silent", T0, 2400, 80, 0.003, 0, 0, 0, 3)
                .scenario("thin", T0, 2400, 80, 0.003, 0.01, 0.003, 0.02, 4)
                .write(dir.resolve("history.om"));
        prometheus = LocalPrometheus.builder().backfill(om).build().start();
    }

    @AfterAll
    static void stopPrometheus() {
        if (prometheus != null) {
            prometheus.close();
        }
    }

    CliRun replay(String scenario, String... extra) throws Exception {
        Path gate = GateFiles.write(dir, "gate-" + scenario + ".yaml", GateFiles.canaryGate(prometheus.url(), ""));
        String[] base = {"canary", "--config", gate.toString(),
                "--canary-selector", "scenario=\"" + scenario + "\",track=\"canary\"",
                "--baseline-selector", "scenario=\"" + scenario + "\",track=\"stable\"",
                "--from", Instant.ofEpochSecond(T0).toString(), "--to", Instant.ofEpochSecond(T0 + 1800).toString(),
                "--report-json", dir.resolve(scenario + ".json").toString(),
                "--junit", dir.resolve(scenario + ".xml").toString()};
        String[] args = new String[base.length + extra.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        return CliRun.of(args);
    }

    JsonNode report(String scenario) throws Exception {
        return new ObjectMapper().readTree(dir.resolve(scenario + ".json").toFile());
    }

    @Test
    void healthyCanaryPassesAtTheEndOfTheReplayedBake() throws Exception {
        CliRun run = replay("healthy");
        assertThat(run.exitCode()).as(run.out() + run.err()).isEqualTo(0);
        assertThat(run.out()).contains("canary gate: PASS");
        JsonNode r = report("healthy");
        assertThat(r.get("verdict").asText()).isEqualTo("PASS");
        assertThat(r.get("mode").asText()).isEqualTo("replay");
        assertThat(Instant.parse(r.get("decidedAt").asText())).isEqualTo(Instant.ofEpochSecond(T0 + 1800));
        assertThat(r.get("reasons")).hasSize(2);
        JsonNode availability = r.get("slos").get(0);
        assertThat(availability.get("name").asText()).isEqualTo("availability");
        assertThat(availability.get("evaluations")).hasSize(30);
        JsonNode first = availability.get("evaluations").get(0);
        assertThat(first.get("canary").get("total").asDouble()).isGreaterThan(600);
        assertThat(first.get("baseline").get("total").asDouble()).isGreaterThan(2400);
        assertThat(availability.get("canary").get("ratio").asDouble()).isBetween(0.0005, 0.01);
        WellFormedXml.parse(dir.resolve("healthy.xml"));
        String xml = Files.readString(dir.resolve("healthy.xml"));
        assertThat(xml).contains("<testcase classname=\"prodgate.canary\" name=\"availability\"",
                "name=\"latency\"", "failures=\"0\"");
    }

    @Test
    void errorRegressionFailsWithinMinutes() throws Exception {
        CliRun run = replay("errors");
        assertThat(run.exitCode()).as(run.out() + run.err()).isEqualTo(1);
        JsonNode r = report("errors");
        assertThat(r.get("verdict").asText()).isEqualTo("FAIL");
        long decided = Instant.parse(r.get("decidedAt").asText()).getEpochSecond();
        assertThat(decided - T0).isLessThanOrEqualTo(300);
        assertThat(r.get("reasons").get(0).asText()).startsWith("availability: canary");
        WellFormedXml.parse(dir.resolve("errors.xml"));
        assertThat(Files.readString(dir.resolve("errors.xml")))
                .containsPattern("name=\"availability\"[^>]*>\\s*<failure");
    }

    @Test
    void anAdvisoryRunOfAFaultyCanaryExitsZeroAndSaysItWouldFail() throws Exception {
        CliRun run = replay("errors", "--advisory");
        assertThat(run.exitCode()).as(run.out() + run.err()).isEqualTo(0);
        assertThat(run.out()).contains("canary gate: advisory, would FAIL at ").contains("it does not block");
        JsonNode r = report("errors");
        assertThat(r.get("verdict").asText()).as("the verdict it would have given").isEqualTo("FAIL");
        assertThat(r.get("settings").get("advisory").asBoolean()).isTrue();
        String xml = Files.readString(dir.resolve("errors.xml"));
        assertThat(xml).doesNotContain("<failure").contains("advisory, would fail: availability: canary");
    }

    @Test
    void aFailingDryRunSloDoesNotChangeTheVerdict() throws Exception {
        // the errors canary is five times worse on availability only: made a dry run, latency alone decides
        CliRun run = replay("errors", "--dry-run-slo", "avail.*");
        assertThat(run.exitCode()).as(run.out() + run.err()).isEqualTo(0);
        assertThat(run.out()).contains("canary gate: PASS", "dry-run SLOs (not part of the verdict):",
                "dry run: availability: canary is worse than the baseline");
        JsonNode r = report("errors");
        assertThat(r.get("verdict").asText()).isEqualTo("PASS");
        assertThat(r.get("dryRun").get(0).get("type").asText()).isEqualTo("REGRESSION");
        assertThat(r.get("settings").get("dryRunSlos").get(0).asText()).isEqualTo("availability");
        assertThat(r.get("slos").get(0).get("state").asText()).as("its status is reported").isEqualTo("REGRESSED");
        assertThat(Files.readString(dir.resolve("errors.xml"))).doesNotContain("<failure")
                .contains("name=\"availability (dry run)\"");

        CliRun unknown = replay("errors", "--dry-run-slo", "errors");
        assertThat(unknown.exitCode()).isEqualTo(64);
        assertThat(unknown.err()).contains("--dry-run-slo 'errors' matches none of the SLOs [availability, latency]")
                .doesNotContain("Exception");
    }

    @Test
    void aCanaryWithoutDataIsInconclusiveAndSaysSo() throws Exception {
        CliRun run = replay("silent");
        assertThat(run.exitCode()).as(run.out() + run.err()).isEqualTo(2);
        assertThat(run.out()).contains("INCONCLUSIVE", "the canary reported no traffic");
        assertThat(report("silent").get("reasonDetails").get(0).get("type").asText()).isEqualTo("NO_CANARY_DATA");
    }

    @Test
    void thinTrafficIsInconclusiveNotAPass() throws Exception {
        CliRun run = replay("thin");
        assertThat(run.exitCode()).as(run.out() + run.err()).isEqualTo(2);
        assertThat(report("thin").get("verdict").asText()).isEqualTo("INCONCLUSIVE");
    }

    @Test
    void theStateFileOfAReplayResumesToTheSameVerdict() throws Exception {
        Path state = dir.resolve("state.json");
        CliRun first = replay("errors", "--state", state.toString());
        JsonNode full = report("errors");
        CliRun again = replay("errors", "--state", state.toString());
        assertThat(again.exitCode()).isEqualTo(first.exitCode());
        assertThat(report("errors").get("decidedAt")).isEqualTo(full.get("decidedAt"));
        assertThat(io.prodgate.core.canary.BakeStates.read(state).decision().verdict())
                .isEqualTo(io.prodgate.core.verdict.Verdict.FAIL);
        assertThat(Files.readString(state)).as("JSON lines, format 2").startsWith("{\"crc32\":\"")
                .contains("\"header\":{\"format\":2,", "\"verdict\":\"FAIL\"");
    }

    @Test
    void aMisspeltMetricInTheBadQueryIsNoPassAndIsSaidLoudly() throws Exception {
        String text = GateFiles.canaryGate(prometheus.url(), "");
        assertThat(text).contains("http_requests_total{${selector},code=~\"5..\"}");
        Path gate = GateFiles.write(dir, "gate-typo.yaml",
                text.replace("http_requests_total{${selector},code=~\"5..\"}", "http_request_total{${selector},code=~\"5..\"}"));
        CliRun run = CliRun.of("canary", "--config", gate.toString(),
                "--canary-selector", "scenario=\"healthy\",track=\"canary\"",
                "--baseline-selector", "scenario=\"healthy\",track=\"stable\"",
                "--from", Instant.ofEpochSecond(T0).toString(), "--to", Instant.ofEpochSecond(T0 + 1800).toString(),
                "--report-json", dir.resolve("typo.json").toString());
        assertThat(run.exitCode()).as(run.out() + run.err()).isEqualTo(2);
        assertThat(run.out()).contains("warning: availability: metric http_request_total has no series for the canary",
                "the bad query's metric http_request_total had no series");
        JsonNode r = new ObjectMapper().readTree(dir.resolve("typo.json").toFile());
        assertThat(r.get("verdict").asText()).isEqualTo("INCONCLUSIVE");
        assertThat(r.get("reasonDetails").toString()).contains("INVALID_QUERY_RESULT", "http_request_total");
        // the correctly spelt gate file passes the same canary (healthyCanaryPassesAtTheEndOfTheReplayedBake)
    }

    /**
     * Promotion needs a proven rollback path: without a proof a healthy canary is INCONCLUSIVE (or FAIL, by policy);
     * after a real rollback rehearsal against a running service, it passes.
     */
    @Test
    void aHealthyCanaryIsNotPromotedWithoutARollbackProof() throws Exception {
        try (SampleService service = SampleService.start("checkout", Behaviour.defaults())) {
            String rollback = """
                    rollback:
                      target: %s
                      action:
                        http: { method: POST, url: /admin/behaviour, body: '{"version":"1.4.1"}', timeout: 5s }
                      expectVersion: "1.4.1"
                      deadline: 10s
                      pollInterval: 200ms
                      version: { http: { url: /version, jsonField: /version } }
                      health: { url: /healthz }
                      rollForward:
                        action:
                          http: { method: POST, url: /admin/behaviour, body: '{"version":"1.4.2"}', timeout: 5s }
                        expectVersion: "1.4.2"
                    """.formatted(service.url());
            String required = "  rollbackProof:\n    required: true\n    maxAge: 1h\n";
            Path gate = GateFiles.write(dir, "gate-proof.yaml", GateFiles.canaryGate(prometheus.url(), required) + rollback);
            Path proof = dir.resolve("proof.json");
            String[] canary = {"canary", "--config", gate.toString(), "--proof", proof.toString(),
                    "--canary-selector", "scenario=\"healthy\",track=\"canary\"",
                    "--baseline-selector", "scenario=\"healthy\",track=\"stable\"",
                    "--from", Instant.ofEpochSecond(T0).toString(), "--to", Instant.ofEpochSecond(T0 + 1800).toString()};

            CliRun without = CliRun.of(canary);
            assertThat(without.exitCode()).as(without.out() + without.err()).isEqualTo(2);
            assertThat(without.out()).contains("INCONCLUSIVE", "proof.json");

            Path failClosed = GateFiles.write(dir, "gate-proof-fail.yaml", Files.readString(gate)
                    .replace("  rollbackProof:", "  onMissingEvidence:\n    noRollbackProof: fail\n  rollbackProof:"));
            String[] strict = canary.clone();
            strict[2] = failClosed.toString();
            assertThat(CliRun.of(strict).exitCode()).isEqualTo(1);

            CliRun rehearsal = CliRun.of("rollback", "--config", gate.toString(), "--proof", proof.toString());
            assertThat(rehearsal.exitCode()).as(rehearsal.out() + rehearsal.err()).isEqualTo(0);
            assertThat(service.behaviour().version()).isEqualTo("1.4.2");

            CliRun with = CliRun.of(canary);
            assertThat(with.exitCode()).as(with.out() + with.err()).isEqualTo(0);
            assertThat(with.out()).contains("canary gate: PASS");
        }
    }

    @Test
    void aPrometheusThatIsDownIsASourceErrorNeverAPass() throws Exception {
        int closed;
        try (var s = new java.net.ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        Path gate = GateFiles.write(dir, "gate-down.yaml", GateFiles.canaryGate("http://127.0.0.1:" + closed, ""));
        CliRun run = CliRun.of("canary", "--config", gate.toString(), "--from", Instant.ofEpochSecond(T0).toString(),
                "--to", Instant.ofEpochSecond(T0 + 1800).toString());
        assertThat(run.exitCode()).as(run.out() + run.err()).isEqualTo(2);
        assertThat(run.out()).contains("INCONCLUSIVE", "the metrics source gave no usable answer", "unreachable");
    }
}
