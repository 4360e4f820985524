package io.prodgate.core.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prodgate.core.config.GateFileException;
import io.prodgate.core.gatefile.GateFiles;
import io.prodgate.core.http.LocalServer;
import io.prodgate.core.metrics.GateMetrics;
import io.prodgate.core.report.ReportStylesheet;
import io.prodgate.core.report.SmokeReports;
import io.prodgate.core.smoke.SmokeBudget;
import io.prodgate.core.smoke.SmokeResult;
import io.prodgate.core.verdict.Verdict;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class SmokeRunTest {
    @TempDir
    Path dir;

    final LocalServer server = LocalServer.start().route("/ok", 200, "ok").route("/broken", 500, "boom");
    final RecordingOutput output = new RecordingOutput();
    final GateMetrics metrics = GateMetrics.create();

    @AfterEach
    void stop() {
        server.close();
    }

    Path gate(String target, String checks) {
        return GateFiles.write(dir, "smoke:\n  target: " + target + "\n  budget: { maxChecks: 5, maxDuration: 2m }\n"
                + "  checks:\n" + checks.indent(4));
    }

    RunContext context() {
        return RunContext.builder().env(Map.of()).progress(output).files(output).metrics(metrics, "checkout").build();
    }

    @Test
    void runsRecordsTheVerdictShowsTheSummaryAndWritesEveryReportAskedFor() throws Exception {
        Path f = gate(server.url(), "- { name: api, http: { url: /ok } }\n- { name: down, http: { url: /broken } }\n");
        Path json = dir.resolve("r.json");
        Path junit = dir.resolve("r.xml");
        Path html = dir.resolve("r.html");
        SmokeResult result = SmokeRun.load(f, SmokeOverrides.none()).run(context(), ReportFiles.of(json, junit, html));

        assertThat(result.verdict()).isEqualTo(Verdict.FAIL);
        assertThat(output.lines).containsExactly(SmokeReports.summary(result), "JSON report: " + json,
                "JUnit XML: " + junit, "HTML report: " + html);
        assertThat(output.files.get(json)).isEqualTo(SmokeReports.json(result) + System.lineSeparator());
        assertThat(output.files.get(junit)).isEqualTo(SmokeReports.junit(result));
        assertThat(output.files.get(html)).contains("<html").contains("down");
        assertThat(output.files).as("the page's stylesheet beside it, as the page links to it")
                .containsKey(html.toAbsolutePath().resolveSibling(ReportStylesheet.FILE_NAME));
        assertThat(RecordingOutput.scrape(metrics))
                .contains("prodgate_verdicts_total{gate=\"smoke\",mode=\"blocking\",service=\"checkout\",verdict=\"FAIL\"} 1.0");
    }

    @Test
    void writesOnlyTheReportsAskedForAndNoMetricsWithoutThem() throws Exception {
        Path f = gate(server.url(), "- { name: api, http: { url: /ok } }\n");
        RunContext silent = RunContext.builder().env(Map.of()).files(output).build();
        SmokeResult result = SmokeRun.load(f, SmokeOverrides.none()).run(silent, ReportFiles.none());
        assertThat(result.verdict()).isEqualTo(Verdict.PASS);
        assertThat(output.files).isEmpty();
        assertThat(output.lines).isEmpty();
    }

    @Test
    void overridesReplaceTheTargetAndCapTheBudget() throws Exception {
        Path f = gate("http://127.0.0.1:1", "- { name: api, http: { url: /ok } }\n");
        SmokeRun run = SmokeRun.load(f, SmokeOverrides.none().withTarget(server.url())
                .withBudgetCeiling(3, Duration.ofMinutes(10)));
        assertThat(run.spec().target()).contains(server.url());
        assertThat(run.spec().budget()).isEqualTo(new SmokeBudget(3, Duration.ofMinutes(2), SmokeBudget.OnExceed.FAIL));
        assertThat(run.run(context(), ReportFiles.none()).verdict()).isEqualTo(Verdict.PASS);

        assertThat(SmokeRun.load(f, SmokeOverrides.none().withTarget(null)).spec().target())
                .isEqualTo(Optional.of("http://127.0.0.1:1"));
    }

    @Test
    void aMissingSectionIsAGateFileErrorBeforeAnythingRuns() {
        Path f = GateFiles.write(dir, "version: 1\n");
        assertThatThrownBy(() -> SmokeRun.load(f, SmokeOverrides.none())).isInstanceOf(GateFileException.class)
                .hasMessage(f + ": smoke: is required for the smoke gate");
    }

    @Test
    void aReportThatCannotBeWrittenFailsAfterTheVerdictIsRecordedAndShown() throws Exception {
        Path f = gate(server.url(), "- { name: api, http: { url: /ok } }\n");
        RunContext failing = RunContext.builder().env(Map.of()).progress(output).metrics(metrics, "checkout")
                .files((file, content) -> {
                    throw new IOException(file + ": read-only file system");
                }).build();
        assertThatThrownBy(() -> SmokeRun.load(f, SmokeOverrides.none())
                .run(failing, ReportFiles.of(dir.resolve("r.json"), null, null)))
                .isInstanceOf(IOException.class).hasMessageEndingWith("read-only file system");
        assertThat(output.lines).hasSize(1);
        assertThat(RecordingOutput.scrape(metrics)).contains("verdict=\"PASS\"} 1.0");
    }
}
