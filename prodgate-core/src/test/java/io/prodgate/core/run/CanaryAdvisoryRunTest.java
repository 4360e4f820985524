package io.prodgate.core.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prodgate.core.canary.BakeState;
import io.prodgate.core.canary.EvidenceSource;
import io.prodgate.core.canary.Reading;
import io.prodgate.core.canary.SloEvidence;
import io.prodgate.core.gatefile.GateFile;
import io.prodgate.core.gatefile.GateFiles;
import io.prodgate.core.metrics.GateMetrics;
import io.prodgate.core.report.CanaryReport;
import io.prodgate.core.verdict.ProofRequirement;
import io.prodgate.core.verdict.Verdict;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Trust before blocking: an advisory gate runs and reports as a blocking one would, but never blocks (exit 0, no
 * rollback); a dry-run SLO is reported and counted in the metrics, never part of the verdict.
 */
@Timeout(60)
class CanaryAdvisoryRunTest {
    static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");

    @TempDir
    Path dir;

    final RecordingOutput output = new RecordingOutput();
    final GateMetrics metrics = GateMetrics.create();

    static String gateText(String mode, String latencyExtra) {
        return """
                version: 1
                canary:
                  %s
                  selectors:
                    canary: 'track="canary"'
                    baseline: 'track="stable"'
                  bake: 20m
                  interval: 1m
                  onFail: rollback
                  slos:
                    - name: availability
                      bad: 'sum(increase(errors{${selector}}[${window}]))'
                      total: 'sum(increase(requests{${selector}}[${window}]))'
                      objective: 99
                    - name: latency
                      bad: 'sum(increase(slow{${selector}}[${window}]))'
                      total: 'sum(increase(requests{${selector}}[${window}]))'
                      objective: 95
                      %s
                rollback:
                  target: http://127.0.0.1:9
                  action: { command: { run: ["true"] } }
                  expectVersion: "1.4.1"
                  version: { http: { url: /version, jsonField: /version } }
                  deadline: 5s
                """.formatted(mode, latencyExtra);
    }

    /** 50 requests a second on the canary, 200 on the baseline; bad ratios per SLO. */
    static EvidenceSource traffic(double canaryErrors, double canarySlow) {
        return (spec, bakeStart, from, at) -> {
            double seconds = Duration.between(from, at).toSeconds();
            return List.of(
                    new SloEvidence("availability", Reading.counts(Math.round(50 * seconds * canaryErrors), 50 * seconds),
                            Reading.counts(Math.round(200 * seconds * 0.005), 200 * seconds)),
                    new SloEvidence("latency", Reading.counts(Math.round(50 * seconds * canarySlow), 50 * seconds),
                            Reading.counts(Math.round(200 * seconds * 0.01), 200 * seconds)));
        };
    }

    RunContext context() {
        return RunContext.builder().clock(Clock.fixed(T0.plus(Duration.ofDays(3)), ZoneOffset.UTC)).progress(output)
                .files(output).metrics(metrics, "checkout").build();
    }

    BakeState replay(CanaryRun run, EvidenceSource source) throws Exception {
        CanaryRun.Bake bake = run.bake(context(), source, ProofRequirement.none());
        return bake.run(bake.start(), CanaryRunTest.noWaiting(), CanaryRun.StateStore.NONE, BakeListener.SILENT);
    }

    static CanaryOverrides window() {
        return CanaryOverrides.none().withReplay(new CanaryOverrides.Window(T0, T0.plus(Duration.ofMinutes(20))));
    }

    @Test
    void anAdvisoryGateReportsWhatItWouldHaveDecidedAndNeverBlocks() throws Exception {
        GateFile gate = GateFiles.load(dir, gateText("mode: advisory", ""));
        CanaryRun run = CanaryRun.of(gate, window());
        assertThat(run.spec().advisory()).isTrue();
        BakeState done = replay(run, traffic(0.05, 0.01));
        assertThat(done.decision().verdict()).as("judged exactly as it would be").isEqualTo(Verdict.FAIL);
        assertThat(run.exitCode(done)).isZero();

        Path junit = dir.resolve("out/canary.xml");
        Path json = dir.resolve("out/canary.json");
        CanaryReport report = run.bake(context(), traffic(0.05, 0.01), ProofRequirement.none())
                .finish(done, ReportFiles.of(json, junit, null));
        assertThat(report.advisory()).isTrue();
        assertThat(output.lines.get(0)).startsWith("canary gate: advisory, would FAIL at ")
                .contains("; it does not block");
        assertThat(output.files.get(json)).contains("\"advisory\" : true").contains("\"verdict\" : \"FAIL\"");
        assertThat(output.files.get(junit)).as("a CI's test view shows it, nothing turns red")
                .doesNotContain("<failure").contains("<skipped message=\"advisory, would fail: availability");
        assertThat(RecordingOutput.scrape(metrics)).contains(
                "prodgate_verdicts_total{gate=\"canary\",mode=\"advisory\",service=\"checkout\",verdict=\"FAIL\"} 1.0");
    }

    @Test
    void anAdvisoryGateRollsNothingBackAndRunsNoCommand() throws Exception {
        CanaryRun blocking = CanaryRun.of(GateFiles.load(dir, gateText("", "")), CanaryOverrides.none());
        assertThat(blocking.commandFields()).containsExactly("rollback.action.command");
        CanaryRun advisory = CanaryRun.of(GateFiles.load(dir, gateText("mode: advisory", "")), CanaryOverrides.none());
        assertThat(advisory.commandFields()).as("nothing an advisory gate would run").isEmpty();

        // the same through --advisory, over a gate file that blocks
        CanaryRun overridden = CanaryRun.of(GateFiles.load(dir, gateText("", "")),
                CanaryOverrides.none().withAdvisory(true));
        assertThat(overridden.spec().advisory()).isTrue();
        CanaryRunTest.MovingClock clock = new CanaryRunTest.MovingClock(T0);
        CanaryRun.Bake bake = overridden.bake(RunContext.builder().clock(clock).progress(output).files(output).build(),
                traffic(0.05, 0.01), ProofRequirement.none());
        BakeState done = bake.run(bake.start(), clock, CanaryRun.StateStore.NONE, BakeListener.SILENT);
        assertThat(done.decision().verdict()).isEqualTo(Verdict.FAIL);
        assertThat(bake.rollsBack(done)).isFalse();
        CanaryReport report = bake.finish(done, ReportFiles.none());
        assertThat(report.restore()).isNull();
        assertThat(String.join("", output.lines)).contains("advisory, so not rolled back (canary.onFail: rollback "
                + "would have)");
    }

    @Test
    void aDryRunSloFailingAloneLeavesThePassAndIsCountedInTheMetrics() throws Exception {
        CanaryRun run = CanaryRun.of(GateFiles.load(dir, gateText("", "dryRun: true")), window());
        assertThat(run.spec().dryRunSlos()).containsExactly("latency");
        BakeState done = replay(run, traffic(0.005, 0.08));
        assertThat(done.decision().verdict()).isEqualTo(Verdict.PASS);
        assertThat(run.exitCode(done)).isZero();
        run.bake(context(), traffic(0.005, 0.08), ProofRequirement.none()).finish(done, ReportFiles.none());
        assertThat(output.lines.get(0)).startsWith("canary gate: PASS")
                .contains("dry-run SLOs (not part of the verdict):", "dry run: latency: canary is worse");
        assertThat(RecordingOutput.scrape(metrics)).contains(
                "prodgate_dry_run_slo_outcomes_total{service=\"checkout\",slo=\"latency\",verdict=\"FAIL\"} 1.0",
                "prodgate_verdicts_total{gate=\"canary\",mode=\"blocking\",service=\"checkout\",verdict=\"PASS\"} 1.0");
    }

    @Test
    void dryRunSlosFromTheCommandLineAreNamesOrPatterns() throws Exception {
        GateFile gate = GateFiles.load(dir, gateText("", ""));
        assertThat(CanaryRun.of(gate, window().withDryRunSlos(List.of("lat.*"))).spec().dryRunSlos())
                .containsExactly("latency");
        CanaryRun run = CanaryRun.of(gate, window().withDryRunSlos(List.of("latency")));
        BakeState done = replay(run, traffic(0.005, 0.08));
        assertThat(done.decision().verdict()).isEqualTo(Verdict.PASS);
        assertThat(CanaryRun.of(gate, window()).spec().dryRunSlos()).isEmpty();

        assertThatThrownBy(() -> CanaryRun.of(gate, window().withDryRunSlos(List.of("errors"))))
                .isInstanceOf(RunInputException.class)
                .hasMessage("--dry-run-slo 'errors' matches none of the SLOs [availability, latency]");
        assertThatThrownBy(() -> CanaryRun.of(gate, window().withDryRunSlos(List.of("lat[ency"))))
                .isInstanceOf(RunInputException.class)
                .hasMessageStartingWith("--dry-run-slo 'lat[ency' is neither an SLO name nor a regular expression");
        assertThatThrownBy(() -> CanaryRun.of(gate, window().withDryRunSlos(List.of(".*"))))
                .isInstanceOf(RunInputException.class).hasMessageContaining("every SLO a dry run");
    }
}
