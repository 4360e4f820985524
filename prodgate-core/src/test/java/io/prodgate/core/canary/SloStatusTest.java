package io.prodgate.core.canary;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The judge's per-SLO results are typed and carry what decided, the figures and what the SLO is held to. */
class SloStatusTest {
    static Judgement lastJudgement(CanaryGate gate) {
        BakeState s = gate.start(CanaryGateTest.T0);
        Judgement last = null;
        while (!s.decided()) {
            CanaryGate.Step step = gate.evaluate(s, s.nextEvaluationAt());
            last = step.judgement();
            s = step.state();
        }
        return last;
    }

    @Test
    void aRegressionIsDecidedByTheRelativeTestAndCarriesItsEvidenceAndObjective() {
        var source = new SimulatedSource(2, 200, 20).slo("availability", 0.005, 0.05).slo("latency", 0.02, 0.02);
        Judgement j = lastJudgement(CanaryGateTest.gate(Specs.twoSlos(), source));
        SloStatus.Ratio availability = (SloStatus.Ratio) j.slos().get(0);
        assertThat(availability.state()).isIn(SloStatus.State.REGRESSED, SloStatus.State.BREACHED);
        assertThat(availability.decidedBy()).isIn(SloStatus.DecidedBy.RELATIVE_TEST, SloStatus.DecidedBy.ABSOLUTE_TEST);
        assertThat(availability.objective()).isEqualTo(0.99);
        assertThat(availability.budget()).isEqualTo(0.01, org.assertj.core.data.Offset.offset(1e-12));
        SloStatus.Evidence ev = availability.evidence();
        assertThat(Math.max(ev.relative(), ev.absolute())).as("the deciding test crossed its threshold")
                .isGreaterThanOrEqualTo(ev.threshold());
        assertThat(availability.canaryRatio().getAsDouble()).isGreaterThan(availability.baselineRatio().getAsDouble());
        assertThat(availability.ratioUpperBound()).as("only the end of a bake bounds the ratio").isEmpty();
        assertThat(j.slos().get(1).state()).isEqualTo(SloStatus.State.HOLDING);
        assertThat(j.slos().get(1).decidedBy()).isEqualTo(SloStatus.DecidedBy.NOTHING_YET);
    }

    @Test
    void aPassIsDecidedByTheRatioBoundWhichItCarries() {
        var source = new SimulatedSource(1, 200, 20).slo("availability", 0.005, 0.005).slo("latency", 0.02, 0.02);
        Judgement j = lastJudgement(CanaryGateTest.gate(Specs.twoSlos(), source));
        assertThat(j.decision().verdict()).isEqualTo(io.prodgate.core.verdict.Verdict.PASS);
        for (SloStatus s : j.slos()) {
            SloStatus.Ratio r = (SloStatus.Ratio) s;
            assertThat(r.state()).isEqualTo(SloStatus.State.HELD);
            assertThat(r.decidedBy()).isEqualTo(SloStatus.DecidedBy.RATIO_BOUND);
            assertThat(r.ratioUpperBound().getAsDouble()).isLessThan(2.0);
            assertThat(r.outcome()).isInstanceOf(RatioOutcome.HeldAgainstBaseline.class);
        }
    }

    @Test
    void withoutTrafficThereIsNoRatioRatherThanANaN() {
        CanaryGate gate = CanaryGateTest.gate(Specs.twoSlos(), (spec, start, from, at) -> spec.slos().stream()
                .map(slo -> new SloEvidence(slo.name(), Reading.counts(0, 0), Reading.counts(0, 0))).toList());
        BakeState s = gate.start(CanaryGateTest.T0);
        SloStatus.Ratio r = (SloStatus.Ratio) gate.evaluate(s, s.nextEvaluationAt()).judgement().slos().get(0);
        assertThat(r.canaryRatio()).isEmpty();
        assertThat(r.baselineRatio()).isEmpty();
        assertThat(r.summary()).isEqualTo("availability canary no traffic vs baseline no traffic");
    }

    @Test
    void aValueCheckCarriesItsLastReadingBoundsAndStreak() {
        CanarySpec spec = Specs.spec(List.of(Specs.cpu(0.8)), EvidencePolicy.inconclusive());
        CanaryGate gate = CanaryGateTest.gate(spec, (sp, start, from, at) ->
                List.of(new SloEvidence("cpu", Reading.value(0.95), null)));
        BakeState s = gate.start(CanaryGateTest.T0);
        CanaryGate.Step first = gate.evaluate(s, s.nextEvaluationAt());
        SloStatus.Value v = (SloStatus.Value) first.judgement().slos().get(0);
        assertThat(v.last().getAsDouble()).isEqualTo(0.95);
        assertThat(v.breachStreak()).isEqualTo(1);
        assertThat(v.state()).isEqualTo(SloStatus.State.HOLDING);
        SloStatus.Value second = (SloStatus.Value) gate.evaluate(first.state(), first.nextEvaluationAt()).judgement()
                .slos().get(0);
        assertThat(second.state()).isEqualTo(SloStatus.State.BREACHED);
        assertThat(second.decidedBy()).isEqualTo(SloStatus.DecidedBy.READINGS);
        assertThat(second.summary()).isEqualTo("cpu value " + io.prodgate.core.util.Numbers.value(0.95) + ", must be at most 0.8");
    }

    @Test
    void everyRatioOutcomeHasAMeaning() {
        assertThat(new java.util.HashSet<Class<?>>(SloStatus.Ratio.MEANINGS.keySet()))
                .isEqualTo(java.util.Set.of(RatioOutcome.class.getPermittedSubclasses()));
    }
}
