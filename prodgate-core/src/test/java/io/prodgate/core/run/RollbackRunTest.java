package io.prodgate.core.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.prodgate.core.gatefile.GateFiles;
import io.prodgate.core.http.LocalServer.Reply;
import io.prodgate.core.http.LocalServer;
import io.prodgate.core.metrics.GateMetrics;
import io.prodgate.core.report.RollbackReports;
import io.prodgate.core.rollback.RollbackProof;
import io.prodgate.core.rollback.RollbackProofs;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class RollbackRunTest {
    @TempDir
    Path dir;

    final AtomicReference<String> version = new AtomicReference<>("1.4.2");
    final LocalServer server = LocalServer.start()
            .route("/version", n -> Reply.of(200, "{\"version\":\"" + version.get() + "\"}"))
            .route("/healthz", 200, "ok")
            .route("/deploy/rollback", n -> {
                version.set("1.4.1");
                return Reply.of(200, "rolling back");
            });
    final RecordingOutput output = new RecordingOutput();
    final GateMetrics metrics = GateMetrics.create();

    @AfterEach
    void stop() {
        server.close();
    }

    Path gate(String target, String action) {
        return GateFiles.write(dir, """
                rollback:
                  target: %s
                  action: %s
                  deadline: 2s
                  pollInterval: 50ms
                  expectVersion: "1.4.1"
                  version: { http: { url: /version, jsonField: /version } }
                  health: { url: /healthz }
                """.formatted(target, action));
    }

    RunContext context() {
        return RunContext.builder().env(Map.of()).progress(output).files(output).metrics(metrics, "checkout").build();
    }

    @Test
    void aProvenRollbackRecordsItsDurationAndWritesTheProofThenTheReports() throws Exception {
        Path f = gate("http://127.0.0.1:1", "{ http: { url: /deploy/rollback } }");
        Path proof = dir.resolve("proof.json");
        Path json = dir.resolve("report.json");
        Path junit = dir.resolve("rollback.xml");
        RollbackProof p = RollbackRun.load(f, Optional.of(server.url()))
                .run(context(), proof, ReportFiles.of(json, junit, null));

        assertThat(p.proven()).as(RollbackReports.summary(p)).isTrue();
        assertThat(p.target()).isEqualTo(server.url());
        assertThat(output.lines).containsExactly(RollbackReports.summary(p), "proof: " + proof,
                "JSON report: " + json, "JUnit XML: " + junit);
        assertThat(output.files.get(proof)).isEqualTo(RollbackProofs.json(p) + System.lineSeparator())
                .isEqualTo(output.files.get(json));
        assertThat(output.files.get(junit)).isEqualTo(RollbackReports.junit(p));
        assertThat(RecordingOutput.scrape(metrics))
                .contains("prodgate_verdicts_total{gate=\"rollback\",mode=\"blocking\",service=\"checkout\",verdict=\"PASS\"} 1.0",
                        "prodgate_rollback_duration_seconds_count{proven=\"true\",service=\"checkout\"} 1",
                        "prodgate_rollback_proof_timestamp_seconds{service=\"checkout\"} "
                                + p.finishedAt().toEpochMilli() / 1000.0);
    }

    @Test
    void anUnprovenRollbackIsAFailedVerdictAndStillWritesItsProof() throws Exception {
        Path f = gate(server.url(), "{ command: { run: [\"true\"] } }");
        Path proof = dir.resolve("proof.json");
        RollbackProof p = RollbackRun.load(f, Optional.empty()).run(context(), proof, ReportFiles.none());
        assertThat(p.proven()).isFalse();
        assertThat(output.files).containsOnlyKeys(proof);
        assertThat(RecordingOutput.scrape(metrics))
                .contains("prodgate_verdicts_total{gate=\"rollback\",mode=\"blocking\",service=\"checkout\",verdict=\"FAIL\"} 1.0")
                .doesNotContain("prodgate_rollback_proof_timestamp_seconds{");
    }
}
