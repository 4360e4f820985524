package io.prodgate.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.prodgate.cli.UsageException;
import io.prodgate.core.canary.BakeState;
import io.prodgate.core.canary.BakeStates;
import io.prodgate.core.canary.CanarySpec;
import io.prodgate.core.canary.RatioSlo;
import io.prodgate.core.canary.Rollout;
import io.prodgate.core.gatefile.GateFile;
import io.prodgate.core.gatefile.GateFileLoader;
import io.prodgate.core.verdict.Verdict;
import io.prodgate.testkit.LocalPrometheus;
import io.prodgate.testkit.WellFormedXml;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DemoCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The whole demo, quick, against a real Prometheus: the gate shifts a healthy canary through every step of its
     * rollout and passes it at the end of the last one, fails a faulty one in its first step and rolls it back. The
     * timeout only stops a hung run; a loaded 2-core CI takes longer than a desktop, and that is no failure.
     */
    @Test
    @Timeout(600)
    void quickDemoPassesTheHealthyCanaryAndFailsTheFaultyOne(@TempDir Path tmp) throws Exception {
        assumeTrue(LocalPrometheus.isInstalled(), "prometheus/promtool not on PATH; " + LocalPrometheus.INSTALL_HINT);
        Set<Long> before = descendants();
        Path out = tmp.resolve("demo-out");

        Run run = run("--quick", "--out", out.toString());
        System.out.println(run.out());
        System.err.println(run.err());

        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        assertThat(run.out())
                .contains("staging smoke PASS (as expected)", "rollback rehearsal PASS (as expected)")
                .contains("healthy canary PASS (as expected)")
                .containsPattern("faulty canary FAIL after \\d+s \\(as expected\\)")
                .contains("canary gate: PASS at", "canary gate: FAIL at")
                .contains("availability", "latency")
                .contains(out.resolve("healthy-canary").resolve("canary-report.json").toString());
        String healthyStage = run.out().substring(run.out().indexOf("healthy canary: canary 1.4.2"),
                run.out().indexOf("faulty canary: canary 1.5.0"));
        String faultyStage = run.out().substring(run.out().indexOf("faulty canary: canary 1.5.0"));
        // the gate file's traffic action moved the load balancer, step by step
        assertThat(healthyStage).containsSubsequence("canary gate: step 1: 1 % of the traffic to the canary",
                "canary gate: step 2: 10 % of the traffic to the canary",
                "canary gate: step 3: 50 % of the traffic to the canary", "canary gate: PASS at");
        assertThat(healthyStage).as("no traffic on the canary before its first step").doesNotContain("load balancer:");
        assertThat(faultyStage).contains("load balancer: the canary out of traffic (it had 50 %)")
                .containsSubsequence("canary gate: step 1: 1 % of the traffic to the canary", "canary gate: FAIL at",
                        "canary gate: rolling back (FAIL)", "canary gate: restored in", "time to restore: ",
                        "canary now: 1.4.1, 2 % errors, median latency 40 ms; 0 % of the traffic")
                .doesNotContain("canary gate: step 2:");

        JsonNode healthy = report(out.resolve("healthy-canary"));
        assertThat(healthy.path("verdict").asText()).isEqualTo("PASS");
        assertThat(healthy.path("mode").asText()).isEqualTo("live");
        assertThat(healthy.path("settings").path("interval").asText()).isEqualTo("PT3S");
        JsonNode steps = healthy.path("steps");
        assertThat(steps).hasSize(3);
        assertThat(steps.findValuesAsText("weight")).containsExactly("1.0", "10.0", "50.0");
        for (JsonNode step : steps) {
            // Prometheus saw each shift: the split moved, not just a label
            assertThat(step.path("settledAt").isTextual()).as(step.toString()).isTrue();
        }
        assertThat(steps.get(2).path("measuredShare").asDouble()).isBetween(37.5, 62.5);
        // PASS at the end of the last step: its 30s bake from when its shift was seen
        assertThat(Instant.parse(healthy.path("decidedAt").asText()))
                .isEqualTo(Instant.parse(steps.get(2).path("settledAt").asText()).plusSeconds(30));
        assertThat(healthy.path("restore").isNull()).isTrue();

        JsonNode faulty = report(out.resolve("faulty-canary"));
        assertThat(faulty.path("verdict").asText()).isEqualTo("FAIL");
        assertThat(faulty.path("steps")).as("failed at 1 %, before any more users saw it").hasSize(1);
        JsonNode restore = faulty.path("restore");
        assertThat(restore.path("restored").asBoolean()).as(restore.toString()).isTrue();
        assertThat(restore.path("withinTarget").asBoolean()).isTrue();
        assertThat(restore.path("restoreWithin").asDouble()).isEqualTo(60.0);
        assertThat(restore.path("timeToRestore").asDouble()).isGreaterThan(0).isLessThan(60);
        assertThat(faultyStage).contains(String.format(java.util.Locale.ROOT, "time to restore: %.2fs",
                restore.path("timeToRestore").asDouble()));

        WellFormedXml.parse(out.resolve("faulty-canary").resolve("canary-junit.xml"));
        String junit = Files.readString(out.resolve("faulty-canary").resolve("canary-junit.xml"));
        assertThat(junit).contains("<testsuite", "failures=\"", "<failure");
        assertThat(Files.readString(out.resolve("healthy-canary").resolve("canary-junit.xml")))
                .contains("failures=\"0\"");
        BakeState state = BakeStates.read(out.resolve("faulty-canary").resolve("bake-state.json"));
        assertThat(state.decision().verdict()).isEqualTo(Verdict.FAIL);
        // Failed fast, on the gate's clock: before the bake's end, however long the machine took to get there.
        assertThat(state.decision().decidedAt()).isBefore(state.endsAt());
        assertThat(Instant.parse(faulty.path("decidedAt").asText())).isEqualTo(state.decision().decidedAt());

        // The whole pipeline left its evidence: the smoke report, the rollback proof the canary gate required.
        assertThat(out.resolve("staging-smoke").resolve("smoke-report.html")).isRegularFile();
        WellFormedXml.parse(out.resolve("staging-smoke").resolve("smoke-junit.xml"));
        WellFormedXml.parse(out.resolve("rollback-rehearsal").resolve("rollback-junit.xml"));
        assertThat(Files.readString(out.resolve("rollback-rehearsal").resolve("rollback-proof.json")))
                .contains("\"proven\" : true", "\"expectVersion\" : \"1.4.1\"");
        assertThat(out.resolve("healthy-canary").resolve("canary-report.html")).isRegularFile();

        // The gate that ran is the one left for the user to read, and it is a valid gate file.
        GateFile gate = GateFileLoader.load(out.resolve("demo-gate.yaml"));
        assertThat(gate.digest()).isEqualTo(healthy.path("gateDigest").asText());

        // Prometheus and everything else stopped with the demo.
        Set<Long> left = descendants();
        left.removeAll(before);
        assertThat(left).as("child processes left behind").isEmpty();
        assertThat(ProcessHandle.current().descendants()
                .filter(p -> p.info().command().orElse("").endsWith("prometheus"))).isEmpty();
    }

    @Test
    void plansEnoughTrafficForTheHealthyCanaryToPass() throws Exception {
        DemoCommand.Plan standard = plan();
        assertThat(standard.stepBakes()).containsExactly(Duration.ofSeconds(30), Duration.ofSeconds(30),
                Duration.ofMinutes(1));
        assertThat(standard.bake()).isEqualTo(Duration.ofMinutes(2));
        assertThat(standard.interval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(standard.settle()).isEqualTo(Duration.ofSeconds(20));
        assertThat(standard.steps()).isEqualTo("1 % for 30s, 10 % for 30s, 50 % for 1m");
        // 1 % of 30s, 10 % of 30s and 50 % of 1m: 33.3s of the whole traffic reach the canary
        assertThat(standard.traffic().ratePerSecond() * (0.3 + 3 + 30))
                .isGreaterThanOrEqualTo(DemoCommand.CANARY_REQUESTS_NEEDED);
        assertThat(standard.traffic().ratePerSecond()).isEqualTo(370);
        assertThat(standard.canaryRequests()).isGreaterThanOrEqualTo(DemoCommand.CANARY_REQUESTS_NEEDED);
        assertThat(standard.maxDataGap()).isEqualTo(Duration.ofSeconds(30));

        DemoCommand.Plan quick = plan("--quick");
        assertThat(quick.stepBakes()).containsExactly(Duration.ofSeconds(15), Duration.ofSeconds(15),
                Duration.ofSeconds(30));
        assertThat(quick.interval()).isEqualTo(Duration.ofSeconds(3));
        assertThat(quick.traffic().ratePerSecond()).isLessThanOrEqualTo(DemoCommand.MAX_RATE);
        assertThat(quick.canaryRequests()).isGreaterThanOrEqualTo(DemoCommand.CANARY_REQUESTS_NEEDED);

        DemoCommand.Plan longer = plan("--bake", "30m", "--interval", "1m");
        assertThat(longer.traffic().ratePerSecond()).isEqualTo(DemoCommand.MIN_RATE);
        assertThat(plan("--rate", "60").traffic().ratePerSecond()).isEqualTo(60);
        assertThat(plan("--rate", "60").canaryRequests()).isLessThan(DemoCommand.CANARY_REQUESTS_NEEDED);
        // whole seconds, the rest to the last step
        assertThat(plan("--quick", "--bake", "45s").stepBakes()).containsExactly(Duration.ofSeconds(11),
                Duration.ofSeconds(11), Duration.ofSeconds(23));
    }

    @Test
    void refusesBakesTheDemoCannotRun() {
        assertThatThrownBy(() -> plan("--bake", "5s")).isInstanceOf(UsageException.class)
                .hasMessageContaining("--bake");
        assertThatThrownBy(() -> plan("--bake", "39s")).isInstanceOf(UsageException.class)
                .hasMessageContaining("between 40s");
        assertThatThrownBy(() -> plan("--bake", "40s", "--interval", "15s")).isInstanceOf(UsageException.class)
                .hasMessageContaining("at most the shortest step's bake (10s");
        assertThatThrownBy(() -> plan("--bake", "2h")).isInstanceOf(UsageException.class);
        assertThatThrownBy(() -> plan("--bake", "soon")).isInstanceOf(UsageException.class)
                .hasMessageContaining("not a duration");
        assertThatThrownBy(() -> plan("--interval", "1s")).isInstanceOf(UsageException.class)
                .hasMessageContaining("--interval");
        assertThatThrownBy(() -> plan("--bake", "30s", "--interval", "1m")).isInstanceOf(UsageException.class);
        assertThatThrownBy(() -> plan("--rate", "5000")).isInstanceOf(UsageException.class);
    }

    @Test
    void theShippedGateFileIsValidAndJudgesWhatTheDemoMeasures(@TempDir Path tmp) throws Exception {
        DemoCommand.Plan plan = plan();
        String text = DemoCommand.gateFile("http://127.0.0.1:9090", "http://127.0.0.1:9091", "http://127.0.0.1:9092",
                "http://127.0.0.1:9093/admin/weights", plan);
        assertThat(text).doesNotContain("@").contains("le=\"0.1\"");
        GateFile gate = GateFileLoader.parse(tmp.resolve("demo-gate.yaml"), text.getBytes(StandardCharsets.UTF_8));
        assertThat(gate.requirePrometheus().url()).isEqualTo("http://127.0.0.1:9090");
        CanarySpec spec = gate.requireCanary();
        Rollout rollout = spec.rollout().orElseThrow();
        assertThat(rollout.steps()).extracting(Rollout.Step::weight, Rollout.Step::bake).containsExactly(
                org.assertj.core.groups.Tuple.tuple(0.01, Duration.ofSeconds(30)),
                org.assertj.core.groups.Tuple.tuple(0.10, Duration.ofSeconds(30)),
                org.assertj.core.groups.Tuple.tuple(0.50, Duration.ofMinutes(1)));
        assertThat(rollout.settle()).isEqualTo(plan.settle());
        assertThat(rollout.tolerance()).isEqualTo(0.25);
        assertThat(gate.traffic()).hasValueSatisfying(a -> assertThat(a.describe())
                .contains("http://127.0.0.1:9093/admin/weights"));
        assertThat(gate.remediation().appliesTo(Verdict.FAIL)).isTrue();
        assertThat(gate.remediation().appliesTo(Verdict.INCONCLUSIVE)).isFalse();
        assertThat(gate.remediation().restoreWithin()).isEqualTo(Duration.ofMinutes(1));
        // the rollback deploys the stable release as it behaves, not just its version label
        assertThat(gate.requireRollback().action().describe()).contains("/admin/behaviour");
        assertThat(text).contains("'{\"version\":\"1.4.1\",\"errorRate\":0.02,\"latencyMedianSeconds\":0.04,"
                + "\"latencySigma\":0.4}'");
        assertThat(spec.interval()).isEqualTo(plan.interval());
        assertThat(spec.maxDataGap()).isEqualTo(Duration.ofSeconds(30));
        assertThat(spec.canarySelector()).isEqualTo("app=\"checkout\",track=\"canary\"");
        assertThat(spec.baselineSelector()).isEqualTo("app=\"checkout\",track=\"stable\"");
        assertThat(spec.ratioSlos()).extracting(RatioSlo::name, RatioSlo::objective)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("availability", 0.95),
                        org.assertj.core.groups.Tuple.tuple("latency", 0.95));
    }

    @Test
    void summarisesEachStage() {
        assertThat(new DemoCommand.StageResult("healthy canary", Verdict.PASS, Verdict.PASS, Duration.ofMinutes(2))
                .summary()).isEqualTo("healthy canary PASS (as expected)");
        assertThat(new DemoCommand.StageResult("faulty canary", Verdict.FAIL, Verdict.FAIL, Duration.ofSeconds(25))
                .summary()).isEqualTo("faulty canary FAIL after 25s (as expected)");
        DemoCommand.StageResult off = new DemoCommand.StageResult("healthy canary", Verdict.PASS,
                Verdict.INCONCLUSIVE, Duration.ofMinutes(2));
        assertThat(off.asExpected()).isFalse();
        assertThat(off.summary()).isEqualTo("healthy canary INCONCLUSIVE after 2m (expected PASS)");
    }

    private static DemoCommand.Plan plan(String... args) throws UsageException {
        DemoCommand command = new DemoCommand();
        new CommandLine(command).parseArgs(args);
        return command.plan();
    }

    private static JsonNode report(Path dir) throws Exception {
        assertThat(dir.resolve("bake-state.json")).isRegularFile();
        WellFormedXml.parse(dir.resolve("canary-junit.xml"));
        return JSON.readTree(Files.readString(dir.resolve("canary-report.json")));
    }

    private static Set<Long> descendants() {
        return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).map(ProcessHandle::pid)
                .collect(Collectors.toSet());
    }

    private record Run(int exitCode, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new DemoCommand());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }
}
