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
     * The whole demo, quick, against a real Prometheus: a healthy canary passes, a faulty one fails before its bake
     * ends. The timeout only stops a hung run; a loaded 2-core CI takes longer than a desktop, and that is no failure.
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

        JsonNode healthy = report(out.resolve("healthy-canary"));
        assertThat(healthy.path("verdict").asText()).isEqualTo("PASS");
        assertThat(healthy.path("mode").asText()).isEqualTo("live");
        assertThat(healthy.path("settings").path("bake").asText()).isEqualTo("PT30S");
        JsonNode faulty = report(out.resolve("faulty-canary"));
        assertThat(faulty.path("verdict").asText()).isEqualTo("FAIL");

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
        assertThat(standard.bake()).isEqualTo(Duration.ofMinutes(2));
        assertThat(standard.interval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(standard.traffic().canaryShare()).isEqualTo(0.3);
        assertThat(standard.traffic().ratePerSecond() * 0.3 * 120)
                .isGreaterThanOrEqualTo(DemoCommand.CANARY_REQUESTS_NEEDED);
        assertThat(standard.maxDataGap()).isEqualTo(Duration.ofSeconds(30));

        DemoCommand.Plan quick = plan("--quick");
        assertThat(quick.bake()).isEqualTo(Duration.ofSeconds(30));
        assertThat(quick.interval()).isEqualTo(Duration.ofSeconds(3));
        assertThat(quick.traffic().ratePerSecond()).isLessThanOrEqualTo(DemoCommand.MAX_RATE);
        assertThat(quick.traffic().ratePerSecond() * quick.traffic().canaryShare() * 30)
                .isGreaterThanOrEqualTo(DemoCommand.CANARY_REQUESTS_NEEDED);

        DemoCommand.Plan longer = plan("--bake", "30m", "--interval", "1m");
        assertThat(longer.traffic().ratePerSecond()).isEqualTo(DemoCommand.MIN_RATE);
        assertThat(plan("--rate", "60").traffic().ratePerSecond()).isEqualTo(60);
        assertThat(plan("--quick", "--bake", "45s").bake()).isEqualTo(Duration.ofSeconds(45));
    }

    @Test
    void refusesBakesTheDemoCannotRun() {
        assertThatThrownBy(() -> plan("--bake", "5s")).isInstanceOf(UsageException.class)
                .hasMessageContaining("--bake");
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
        String text = DemoCommand.gateFile("http://127.0.0.1:9090", "http://127.0.0.1:9091", "http://127.0.0.1:9092", plan);
        assertThat(text).doesNotContain("@").contains("le=\"0.25\"");
        GateFile gate = GateFileLoader.parse(tmp.resolve("demo-gate.yaml"), text.getBytes(StandardCharsets.UTF_8));
        assertThat(gate.requirePrometheus().url()).isEqualTo("http://127.0.0.1:9090");
        CanarySpec spec = gate.requireCanary();
        assertThat(spec.bake()).isEqualTo(plan.bake());
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
