package io.prodgate.core.canary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prodgate.core.verdict.Reason;
import io.prodgate.core.verdict.ReasonType;
import io.prodgate.core.verdict.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A dry-run SLO is evaluated and reported like the others, but never decides: not a FAIL, not missing evidence, not a
 * share of the false-alarm rate. What it would have said is kept: where it would first have failed the bake.
 */
class DryRunSloTest {
    static final Instant T0 = CanaryGateTest.T0;

    /** Availability as good as the baseline; latency five times worse on the canary from the start. */
    static SimulatedSource latencyRegressed() {
        return new SimulatedSource(7, 150, 30).slo("availability", 0.004, 0.004).slo("latency", 0.02, 0.10);
    }

    static CanarySpec latencyDryRun() {
        return Specs.twoSlos().toBuilder().dryRunSlos(List.of("latency")).build();
    }

    @Test
    void aFailingDryRunSloDoesNotChangeAPass() {
        BakeState blocking = CanaryGateTest.bake(CanaryGateTest.gate(Specs.twoSlos(), latencyRegressed()));
        assertThat(blocking.decision().verdict()).as("the same bake with latency judged").isEqualTo(Verdict.FAIL);

        BakeState dry = CanaryGateTest.bake(CanaryGateTest.gate(latencyDryRun(), latencyRegressed()));
        Decision d = dry.decision();
        assertThat(d.verdict()).isEqualTo(Verdict.PASS);
        assertThat(d.decidedAt()).isEqualTo(dry.endsAt());
        assertThat(d.reasons()).extracting(Reason::subject).containsExactly("availability");
        assertThat(d.dryRun()).singleElement().satisfies(r -> {
            assertThat(r.type()).isEqualTo(ReasonType.REGRESSION);
            assertThat(r.subject()).isEqualTo("latency");
            // where the blocking gate stopped, the dry run says it would have
            assertThat(r.message()).startsWith("dry run: latency: canary is worse than the baseline")
                    .endsWith("it would have failed the bake "
                            + io.prodgate.core.util.Durations.human(Duration.between(T0, blocking.decision().decidedAt()))
                            + " in");
        });
        assertThat(d.dryRunVerdict("latency")).isEqualTo(Verdict.FAIL);
    }

    @Test
    void theFirstFailureIsKeptWhileTheBakeGoesOn() {
        CanaryGate gate = CanaryGateTest.gate(latencyDryRun(), latencyRegressed());
        BakeState s = gate.start(T0);
        List<Reason> first = null;
        while (!s.decided()) {
            CanaryGate.Step step = gate.evaluate(s, s.nextEvaluationAt());
            if (first == null && !step.judgement().dryRun().isEmpty()) {
                first = step.judgement().dryRun();
            } else if (first != null) {
                assertThat(step.judgement().dryRun()).as("the same first failure, however the evidence moves after")
                        .isEqualTo(first);
            }
            // the dry run's own status is reported, whatever it says
            assertThat(step.judgement().slos()).extracting(SloStatus::name).containsExactly("availability", "latency");
            s = step.state();
        }
        assertThat(first).isNotNull();
    }

    @Test
    void aDryRunHoldingAtTheEndSaysSoAndPasses() {
        SimulatedSource healthy = new SimulatedSource(7, 150, 30).slo("availability", 0.004, 0.004)
                .slo("latency", 0.02, 0.02);
        Decision d = CanaryGateTest.bake(CanaryGateTest.gate(latencyDryRun(), healthy)).decision();
        assertThat(d.verdict()).isEqualTo(Verdict.PASS);
        assertThat(d.dryRun()).singleElement().satisfies(r -> {
            assertThat(r.type()).isEqualTo(ReasonType.HELD);
            assertThat(r.message()).startsWith("dry run: latency: held");
        });
        assertThat(d.dryRunVerdict("latency")).isEqualTo(Verdict.PASS);
    }

    @Test
    void aDryRunWithoutEvidenceNeverMakesTheVerdictInconclusive() {
        // the dry run's query answers several series every time: for a judged SLO, INCONCLUSIVE at once
        EvidenceSource source = (spec, start, from, at) -> latencyRegressed().collect(spec, start, from, at).stream()
                .map(ev -> ev.slo().equals("latency")
                        ? new SloEvidence("latency", Reading.missing(Reading.Status.INVALID, "2 series"),
                                Reading.missing(Reading.Status.INVALID, "2 series"))
                        : ev)
                .toList();
        Decision judged = CanaryGateTest.bake(CanaryGateTest.gate(Specs.twoSlos(), source)).decision();
        assertThat(judged.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(judged.reasons()).extracting(Reason::type).contains(ReasonType.INVALID_QUERY_RESULT);

        Decision dry = CanaryGateTest.bake(CanaryGateTest.gate(latencyDryRun(), source)).decision();
        assertThat(dry.verdict()).isEqualTo(Verdict.PASS);
        assertThat(dry.dryRun()).singleElement().satisfies(r -> {
            assertThat(r.type()).isEqualTo(ReasonType.INVALID_QUERY_RESULT);
            assertThat(r.message()).isEqualTo("dry run: latency: 2 series");
        });
        assertThat(dry.dryRunVerdict("latency")).isEqualTo(Verdict.INCONCLUSIVE);
    }

    @Test
    void aDryRunTakesNoShareOfTheFalseAlarmRate() {
        CanarySpec one = Specs.spec(List.of(Specs.availability()), EvidencePolicy.inconclusive());
        assertThat(new RatioClassifier(latencyDryRun()).alphaPerTest())
                .isEqualTo(new RatioClassifier(one).alphaPerTest())
                .isEqualTo(new RatioClassifier(Specs.twoSlos()).alphaPerTest() * 2);
    }

    @Test
    void atLeastOneSloMustDecide() {
        assertThatThrownBy(() -> Specs.twoSlos().toBuilder().dryRunSlos(List.of("availability", "latency")).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one SLO must not be");
        assertThatThrownBy(() -> Specs.twoSlos().toBuilder().dryRunSlos(List.of("errors")).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'errors' is not one of the SLOs");
    }
}
