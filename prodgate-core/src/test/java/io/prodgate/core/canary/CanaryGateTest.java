package io.prodgate.core.canary;

import io.prodgate.core.verdict.ProofRequirement;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prodgate.core.verdict.ReasonType;
import io.prodgate.core.verdict.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CanaryGateTest {
    static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");

    static BakeState bake(CanaryGate gate) {
        BakeState s = gate.start(T0);
        while (!s.decided()) {
            s = gate.evaluate(s, s.nextEvaluationAt()).state();
        }
        return s;
    }

    static CanaryGate gate(CanarySpec spec, EvidenceSource source) {
        return new CanaryGate(spec, Specs.DIGEST, source, ProofRequirement.none());
    }

    @Test
    void healthyCanaryWithAmpleTrafficPassesOnlyAtTheEndOfTheBake() {
        var source = new SimulatedSource(1, 200, 20).slo("availability", 0.005, 0.005).slo("latency", 0.02, 0.02);
        BakeState s = bake(gate(Specs.twoSlos(), source));
        assertThat(s.decision().verdict()).isEqualTo(Verdict.PASS);
        assertThat(s.decision().decidedAt()).isEqualTo(T0.plus(Duration.ofMinutes(30)));
        assertThat(s.evaluations()).hasSize(30);
        assertThat(s.decision().reasons()).extracting(r -> r.type()).containsOnly(ReasonType.HELD);
        assertThat(s.decision().reasons().get(0).message()).contains("availability", "held for the whole bake");
    }

    @Test
    void clearErrorRegressionFailsFastWithTheSloNamed() {
        var source = new SimulatedSource(2, 200, 20).slo("availability", 0.005, 0.05).slo("latency", 0.02, 0.02);
        BakeState s = bake(gate(Specs.twoSlos(), source));
        assertThat(s.decision().verdict()).isEqualTo(Verdict.FAIL);
        assertThat(Duration.between(T0, s.decision().decidedAt())).isLessThanOrEqualTo(Duration.ofMinutes(3));
        assertThat(s.decision().reasons()).anySatisfy(r -> {
            assertThat(r.subject()).isEqualTo("availability");
            assertThat(r.type()).isIn(ReasonType.REGRESSION, ReasonType.BREACH);
        });
    }

    @Test
    void lateOnsetIsCaughtSoonAfterItStarts() {
        Instant onset = T0.plus(Duration.ofMinutes(18));
        var source = new SimulatedSource(3, 200, 20)
                .slo("availability", 0.003, at -> at.isAfter(onset) ? 0.015 : 0.003).slo("latency", 0.02, 0.02);
        BakeState s = bake(gate(Specs.twoSlos(), source));
        assertThat(s.decision().verdict()).isEqualTo(Verdict.FAIL);
        assertThat(s.decision().decidedAt()).isAfter(onset);
        assertThat(Duration.between(onset, s.decision().decidedAt())).isLessThanOrEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void thinTrafficIsInconclusiveNotPass() {
        var source = new SimulatedSource(4, 20, 0.05).slo("availability", 0.005, 0.005).slo("latency", 0.02, 0.02);
        BakeState s = bake(gate(Specs.twoSlos(), source));
        assertThat(s.decision().verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(s.decision().reasons()).extracting(r -> r.type()).contains(ReasonType.INSUFFICIENT_TRAFFIC);
        assertThat(s.decision().reasons().get(0).message()).contains("too little evidence to vouch for the canary", "needs a bake of");
    }

    @Test
    void aCanaryThatNeverReportsStopsInconclusiveAfterTheAllowedGap() {
        var source = new SimulatedSource(5, 200, 0).slo("availability", 0.005, 0.005).slo("latency", 0.02, 0.02);
        BakeState s = bake(gate(Specs.twoSlos(), source));
        assertThat(s.decision().verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(s.decision().reasons()).singleElement().satisfies(r -> {
            assertThat(r.type()).isEqualTo(ReasonType.NO_CANARY_DATA);
            assertThat(r.message()).contains("track=\"canary\"", "5m");
        });
        assertThat(s.decision().decidedAt()).isEqualTo(T0.plus(Duration.ofMinutes(5)));
    }

    @Test
    void aCanaryThatStopsMidBakeNeverPasses() {
        Instant stop = T0.plus(Duration.ofMinutes(20));
        var source = new SimulatedSource(6, 200, 20).slo("availability", 0.005, 0.005).slo("latency", 0.02, 0.02)
                .canaryOverride(at -> at.isAfter(stop) ? Reading.missing(Reading.Status.NO_DATA, "no series") : null);
        BakeState s = bake(gate(Specs.twoSlos(), source));
        assertThat(s.decision().verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(s.decision().reasons()).extracting(r -> r.type()).containsExactly(ReasonType.NO_CANARY_DATA);
    }

    @Test
    void aSourceThatStaysDownIsASourceErrorAndPolicyCanMakeItFail() {
        var down = new SimulatedSource(7, 200, 20).slo("availability", 0.005, 0.005).slo("latency", 0.02, 0.02)
                .canaryOverride(at -> Reading.missing(Reading.Status.SOURCE_ERROR, "Prometheus at http://x is unreachable"));
        BakeState s = bake(gate(Specs.twoSlos(), down));
        assertThat(s.decision().verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(s.decision().reasons()).singleElement().satisfies(r -> {
            assertThat(r.type()).isEqualTo(ReasonType.SOURCE_ERROR);
            assertThat(r.message()).contains("unreachable");
        });
        CanarySpec failClosed = Specs.spec(Specs.twoSlos().slos(),
                new EvidencePolicy(Map.of(ReasonType.SOURCE_ERROR, Verdict.FAIL)));
        assertThat(bake(gate(failClosed, down)).decision().verdict()).isEqualTo(Verdict.FAIL);
    }

    @Test
    void aShortOutageLosesNoDataBecauseTheNextWindowCoversIt() {
        Instant outageFrom = T0.plus(Duration.ofMinutes(10));
        Instant outageTo = T0.plus(Duration.ofMinutes(12));
        var source = new SimulatedSource(8, 200, 20).slo("availability", 0.005, 0.005).slo("latency", 0.02, 0.02)
                .canaryOverride(at -> at.isAfter(outageFrom) && !at.isAfter(outageTo)
                        ? Reading.missing(Reading.Status.SOURCE_ERROR, "HTTP 503") : null);
        BakeState s = bake(gate(Specs.twoSlos(), source));
        assertThat(s.decision().verdict()).isEqualTo(Verdict.PASS);
        Evaluation after = s.evaluations().stream().filter(e -> e.at().equals(outageTo.plus(Duration.ofMinutes(1))))
                .findFirst().orElseThrow();
        assertThat(after.from()).isEqualTo(outageFrom);
    }

    @Test
    void severalSeriesWhereOneIsExpectedIsReportedAtOnce() {
        var source = new SimulatedSource(9, 200, 20).slo("availability", 0.005, 0.005).slo("latency", 0.02, 0.02)
                .canaryOverride(at -> Reading.missing(Reading.Status.INVALID, "query returned 3 series"));
        BakeState s = bake(gate(Specs.twoSlos(), source));
        assertThat(s.decision().verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(s.decision().reasons()).singleElement().extracting(r -> r.type()).isEqualTo(ReasonType.INVALID_QUERY_RESULT);
        assertThat(s.evaluations()).hasSize(1);
    }

    @Test
    void anUnhealthyBaselineMakesTheGateInconclusiveRatherThanBlameTheCanary() {
        var source = new SimulatedSource(10, 200, 20).slo("availability", 0.05, 0.05).slo("latency", 0.02, 0.02);
        BakeState s = bake(gate(Specs.twoSlos(), source));
        assertThat(s.decision().verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(s.decision().reasons()).extracting(r -> r.type()).contains(ReasonType.BASELINE_UNHEALTHY);
    }

    @Test
    void aCanaryThatHoldsTheObjectiveOnItsOwnPassesBesideAnUnhealthyBaseline() {
        var source = new SimulatedSource(16, 200, 40).slo("availability", 0.05, 0.002).slo("latency", 0.02, 0.02);
        BakeState s = bake(gate(Specs.twoSlos(), source));
        assertThat(s.decision().verdict()).isEqualTo(Verdict.PASS);
        assertThat(s.decision().reasons().get(0).message()).contains("on its own figures", "the baseline breaches");
    }

    @Test
    void absoluteBreachFailsEvenWhenTheBaselineIsEquallyBadOnAnotherSlo() {
        var source = new SimulatedSource(11, 200, 20).slo("availability", 0.005, 0.005).slo("latency", 0.02, 0.2);
        BakeState s = bake(gate(Specs.twoSlos(), source));
        assertThat(s.decision().verdict()).isEqualTo(Verdict.FAIL);
        assertThat(s.decision().reasons()).anySatisfy(r -> assertThat(r.subject()).isEqualTo("latency"));
    }

    @Test
    void valueCheckFailsAfterConsecutiveBreachesOnly() {
        CanarySpec spec = Specs.spec(List.of(Specs.availability(), Specs.cpu(0.8)), EvidencePolicy.inconclusive());
        Instant hot = T0.plus(Duration.ofMinutes(7));
        var spike = new SimulatedSource(12, 200, 20).slo("availability", 0.005, 0.005)
                .slo("cpu", 0, at -> at.equals(T0.plus(Duration.ofMinutes(3))) ? 0.95 : 0.4);
        assertThat(bake(gate(spec, spike)).decision().verdict()).isEqualTo(Verdict.PASS);
        var sustained = new SimulatedSource(12, 200, 20).slo("availability", 0.005, 0.005)
                .slo("cpu", 0, at -> at.isBefore(hot) ? 0.4 : 0.95);
        BakeState s = bake(gate(spec, sustained));
        assertThat(s.decision().verdict()).isEqualTo(Verdict.FAIL);
        assertThat(s.decision().decidedAt()).isEqualTo(hot.plus(Duration.ofMinutes(1)));
        assertThat(s.decision().reasons().get(0).message()).contains("cpu", "at most 0.8", "2 evaluations in a row");
    }

    @Test
    void noRollbackProofBlocksAPassButNotAFail() {
        ProofRequirement missing = now -> Optional.of("no rollback proof at rollback-proof.json");
        var healthy = new SimulatedSource(13, 200, 20).slo("availability", 0.005, 0.005).slo("latency", 0.02, 0.02);
        BakeState s = bake(new CanaryGate(Specs.twoSlos(), Specs.DIGEST, healthy, missing));
        assertThat(s.decision().verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(s.decision().reasons()).singleElement().satisfies(r -> {
            assertThat(r.type()).isEqualTo(ReasonType.NO_ROLLBACK_PROOF);
            assertThat(r.message()).contains("rollback-proof.json");
        });
        var bad = new SimulatedSource(13, 200, 20).slo("availability", 0.005, 0.1).slo("latency", 0.02, 0.02);
        assertThat(bake(new CanaryGate(Specs.twoSlos(), Specs.DIGEST, bad, missing)).decision().verdict())
                .isEqualTo(Verdict.FAIL);
    }

    @Test
    void aDecidedBakeIsNotEvaluatedAgainAndAForeignStateIsRefused() {
        var source = new SimulatedSource(14, 200, 20).slo("availability", 0.005, 0.1).slo("latency", 0.02, 0.02);
        CanaryGate gate = gate(Specs.twoSlos(), source);
        BakeState s = bake(gate);
        int calls = source.calls;
        assertThat(gate.evaluate(s, s.endsAt()).state()).isSameAs(s);
        assertThat(source.calls).isEqualTo(calls);
        CanaryGate other = new CanaryGate(Specs.twoSlos(), "sha256:other", source, ProofRequirement.none());
        assertThatThrownBy(() -> other.evaluate(s, s.endsAt())).hasMessageContaining("another gate file");
    }

    @Test
    void aLateEvaluationLooksOnlyAtTheBakeWindow() {
        var source = new SimulatedSource(15, 200, 20).slo("availability", 0.005, 0.005).slo("latency", 0.02, 0.02);
        CanaryGate gate = gate(Specs.twoSlos(), source);
        CanaryGate.Step step = gate.evaluate(gate.start(T0), T0.plus(Duration.ofHours(2)));
        assertThat(step.evaluation().at()).isEqualTo(T0.plus(Duration.ofMinutes(30)));
        assertThat(step.evaluation().from()).isEqualTo(T0);
        assertThat(step.decided()).isTrue();
    }
}
