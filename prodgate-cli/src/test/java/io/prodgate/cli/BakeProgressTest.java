package io.prodgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.prodgate.core.canary.BakeState;
import io.prodgate.core.canary.CanaryGate;
import io.prodgate.core.canary.CanarySpec;
import io.prodgate.core.canary.EvidencePolicy;
import io.prodgate.core.canary.RatioSlo;
import io.prodgate.core.canary.Reading;
import io.prodgate.core.canary.SloEvidence;
import io.prodgate.core.verdict.ProofRequirement;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class BakeProgressTest {
    static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");

    static CanaryGate gate() {
        CanarySpec spec = new CanarySpec("t=\"c\"", "t=\"s\"", Duration.ofMinutes(10), Duration.ofMinutes(1), 0.01, 2,
                CanarySpec.DEFAULT_NEGLIGIBLE_SHARE, Duration.ofMinutes(5), List.of(new RatioSlo("availability", "b{${selector}}[${window}]", false,
                "t{${selector}}[${window}]", 0.99, 0.1)), EvidencePolicy.inconclusive(), false, Duration.ofHours(1), java.util.Optional.empty());
        return new CanaryGate(spec, "sha256:x", (s, start, from, at) -> List.of(new SloEvidence("availability",
                Reading.counts(2, 1000), Reading.counts(20, 10000))), ProofRequirement.none());
    }

    @Test
    void withoutATerminalEachEvaluationIsOnePlainLogLine() {
        StringWriter out = new StringWriter();
        BakeProgress progress = new BakeProgress(new PrintWriter(out), false, "Prometheus http://127.0.0.1:9090");
        CanaryGate gate = gate();
        BakeState s = gate.start(T0);
        for (int i = 0; i < 3; i++) {
            CanaryGate.Step step = gate.evaluate(s, s.nextEvaluationAt());
            progress.onStep(step);
            s = step.state();
        }
        progress.finish();
        List<String> lines = out.toString().lines().toList();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(2)).startsWith("2026-11-24T10:03:00Z 3m/10m | availability canary 0.2 % vs baseline 0.2 %");
        assertThat(out.toString()).doesNotContain("\r", "\033");
    }

    @Test
    void theStartSaysWhatIsBakedOrReplayedAndAResumeSaysSo() {
        StringWriter out = new StringWriter();
        BakeProgress progress = new BakeProgress(new PrintWriter(out), false, "every 1m, 1 SLOs, Prometheus P");
        CanaryGate gate = gate();
        BakeState s = gate.start(T0);
        progress.started(s, false, false, java.util.Optional.empty());
        progress.started(s, true, false, java.util.Optional.empty());
        progress.started(gate.evaluate(s, s.nextEvaluationAt()).state(), false, true, java.util.Optional.empty());
        assertThat(out.toString().lines().toList()).containsExactly(
                "canary gate: baking until 2026-11-24T10:10:00Z, every 1m, 1 SLOs, Prometheus P",
                "canary gate: replaying 2026-11-24T10:00:00Z to 2026-11-24T10:10:00Z, every 1m, 1 SLOs, Prometheus P",
                "canary gate: baking until 2026-11-24T10:10:00Z, every 1m, 1 SLOs, Prometheus P (resumed after 1 "
                        + "evaluations)");
    }

    @Test
    void onATerminalOneLineIsRedrawnWithABar() {
        StringWriter out = new StringWriter();
        BakeProgress progress = new BakeProgress(new PrintWriter(out), true, "Prometheus http://127.0.0.1:9090");
        CanaryGate gate = gate();
        BakeState s = gate.start(T0);
        for (int i = 0; i < 5; i++) {
            CanaryGate.Step step = gate.evaluate(s, s.nextEvaluationAt());
            progress.onStep(step);
            s = step.state();
        }
        progress.finish();
        assertThat(out.toString()).contains("\r\033[2K[##########..........] 5m/10m | availability")
                .endsWith(System.lineSeparator());
    }
}
