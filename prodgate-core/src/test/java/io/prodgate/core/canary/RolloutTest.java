package io.prodgate.core.canary;

import static org.assertj.core.api.Assertions.assertThat;

import io.prodgate.core.verdict.ProofRequirement;
import io.prodgate.core.verdict.ReasonType;
import io.prodgate.core.verdict.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/** A progressive canary: steps of increasing weight, each judged once its shift is seen, one judgement across all. */
class RolloutTest {
    static final Instant T0 = CanaryGateTest.T0;

    /** 1 %, 10 %, 50 %: ten minutes each, a minute to settle. */
    static Rollout threeSteps() {
        return new Rollout(List.of(new Rollout.Step(0.01, Duration.ofMinutes(10)),
                new Rollout.Step(0.10, Duration.ofMinutes(10)), new Rollout.Step(0.50, Duration.ofMinutes(10))),
                Duration.ofMinutes(2), Rollout.DEFAULT_TOLERANCE);
    }

    static CanarySpec spec(Rollout rollout) {
        return Specs.twoSlos().toBuilder().rollout(rollout).build();
    }

    /**
     * Traffic as a load balancer splits it: 2,000 requests a second in all, the canary's share whatever the traffic
     * action last set (the test plays the action), with these bad ratios.
     */
    static final class SplitTraffic implements EvidenceSource {
        double weight;
        double requestsPerSecond = 2000;
        final DoubleUnaryOperator canaryBad;
        final double baselineBad;
        Instant regressionFrom = Instant.MAX;

        SplitTraffic(double canaryBad, double baselineBad) {
            this.canaryBad = w -> canaryBad;
            this.baselineBad = baselineBad;
        }

        @Override
        public List<SloEvidence> collect(CanarySpec spec, Instant bakeStart, Instant from, Instant at) {
            double seconds = Duration.between(from, at).toSeconds();
            double canary = Math.round(requestsPerSecond * seconds * weight);
            double baseline = Math.round(requestsPerSecond * seconds * (1 - weight));
            double bad = at.isAfter(regressionFrom) ? 10 * baselineBad : canaryBad.applyAsDouble(weight);
            return spec.slos().stream().map(slo -> new SloEvidence(slo.name(),
                    Reading.counts(Math.round(canary * bad), canary),
                    Reading.counts(Math.round(baseline * baselineBad), baseline))).toList();
        }
    }

    /** Bakes to the verdict, setting the source's weight at each step's start as the traffic action would. */
    static BakeState bake(CanaryGate gate, SplitTraffic traffic, boolean shiftTakesEffect) {
        BakeState s = gate.start(T0);
        traffic.weight = shiftTakesEffect ? s.currentStep().orElseThrow().weight() : 0.01;
        while (!s.decided()) {
            int before = s.steps().size();
            s = gate.evaluate(s, s.nextEvaluationAt()).state();
            if (s.steps().size() > before && shiftTakesEffect) {
                traffic.weight = s.currentStep().orElseThrow().weight();
            }
        }
        return s;
    }

    static CanaryGate gate(CanarySpec spec, EvidenceSource source) {
        return new CanaryGate(spec, Specs.DIGEST, source, ProofRequirement.none());
    }

    @Test
    void aHealthyCanaryGoesThroughEveryStepAndPassesOnlyAtTheEndOfTheLast() {
        SplitTraffic traffic = new SplitTraffic(0.005, 0.005);
        BakeState s = bake(gate(spec(threeSteps()), traffic), traffic, true);
        assertThat(s.decision().verdict()).as(s.decision().reasons().toString()).isEqualTo(Verdict.PASS);
        assertThat(s.steps()).extracting(StepProgress::weight).containsExactly(0.01, 0.10, 0.50);
        assertThat(s.steps()).allMatch(StepProgress::settled);
        // each shift is seen in the first window after it, and its bake counts from there
        assertThat(s.steps().get(0).settledAt()).isEqualTo(T0.plus(Duration.ofMinutes(1)));
        assertThat(s.steps().get(1).shiftedAt()).isEqualTo(T0.plus(Duration.ofMinutes(11)));
        StepProgress last = s.steps().get(2);
        assertThat(s.decision().decidedAt()).isEqualTo(last.settledAt().plus(Duration.ofMinutes(10)));
        assertThat(s.endsAt()).isEqualTo(s.decision().decidedAt());
        assertThat(s.steps().get(2).measuredShare()).isCloseTo(0.5, org.assertj.core.data.Offset.offset(0.01));
    }

    @Test
    void aRegressionThatStartsAtTheSecondStepFailsThereWithEvidenceCarriedAcrossSteps() {
        SplitTraffic traffic = new SplitTraffic(0.005, 0.005);
        traffic.regressionFrom = T0.plus(Duration.ofMinutes(12));
        BakeState s = bake(gate(spec(threeSteps()), traffic), traffic, true);
        assertThat(s.decision().verdict()).isEqualTo(Verdict.FAIL);
        assertThat(s.decision().reasons()).extracting(r -> r.type())
                .containsAnyOf(ReasonType.REGRESSION, ReasonType.BREACH);
        assertThat(s.steps()).as("failed in step 2, before step 3").hasSize(2);
        assertThat(s.decision().decidedAt()).isAfter(traffic.regressionFrom)
                .isBefore(traffic.regressionFrom.plus(Duration.ofMinutes(5)));
    }

    /**
     * Too little traffic for any verdict: INCONCLUSIVE, with what a bake would have needed at this traffic. The planner
     * that works that out tries other bakes, which a rollout's steps do not allow: it plans the rollout as one bake.
     */
    @Test
    void aRolloutOnTooLittleTrafficIsInconclusiveAndSaysWhatBakeWouldHaveDone() {
        // no bad event on either side in some 1,200 canary requests: too few to show the canary negligible
        SplitTraffic traffic = new SplitTraffic(0.001, 0.001);
        traffic.requestsPerSecond = 3;
        BakeState s = bake(gate(spec(threeSteps()), traffic), traffic, true);
        assertThat(s.steps()).hasSize(3).allMatch(StepProgress::settled);
        assertThat(s.decision().verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(s.decision().reasons()).isNotEmpty().allSatisfy(r -> {
            assertThat(r.type()).isEqualTo(ReasonType.INSUFFICIENT_TRAFFIC);
            assertThat(r.message()).contains("at this traffic, to pass 9 times in 10 a canary as good as the "
                    + "baseline needs");
        });
    }

    @Test
    void aShiftThatNeverTakesEffectIsInconclusiveWithTheRequestedAndMeasuredShares() {
        SplitTraffic traffic = new SplitTraffic(0.005, 0.005);
        BakeState s = bake(gate(spec(threeSteps()), traffic), traffic, false);
        assertThat(s.decision().verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(s.decision().reasons()).singleElement().satisfies(r -> {
            assertThat(r.type()).isEqualTo(ReasonType.TRAFFIC_NOT_SHIFTED);
            assertThat(r.message()).contains("step 2 of 3 asked for 10 % of the traffic", "was 1 %", "2m");
        });
        StepProgress second = s.steps().get(1);
        assertThat(second.settled()).isFalse();
        assertThat(s.decision().decidedAt()).isEqualTo(second.shiftedAt().plus(Duration.ofMinutes(2)));
    }

    @Test
    void theSettleTimeIsNotCountedAsBake() {
        SplitTraffic traffic = new SplitTraffic(0.005, 0.005);
        // the first step's shift shows only in the second window, at the settle bound: the balancer drains slowly
        Instant seenFrom = T0.plus(Duration.ofMinutes(1));
        CanaryGate gate = gate(spec(threeSteps()), (spec, bakeStart, from, at) -> {
            double asked = traffic.weight;
            traffic.weight = at.isAfter(seenFrom) ? asked : 0.002;
            List<SloEvidence> out = traffic.collect(spec, bakeStart, from, at);
            traffic.weight = asked;
            return out;
        });
        BakeState s = bake(gate, traffic, true);
        assertThat(s.decision().verdict()).as(s.decision().reasons().toString()).isEqualTo(Verdict.PASS);
        assertThat(s.steps().get(0).settledAt()).isEqualTo(T0.plus(Duration.ofMinutes(2)));
        assertThat(s.steps().get(1).shiftedAt()).as("ten minutes of bake after the shift was seen")
                .isEqualTo(T0.plus(Duration.ofMinutes(12)));
    }

    @Test
    void aRolloutResumedFromItsSavedStateInTheSecondStepDecidesAsAnUninterruptedOne() throws Exception {
        SplitTraffic straightTraffic = new SplitTraffic(0.005, 0.005);
        BakeState straight = bake(gate(spec(threeSteps()), straightTraffic), straightTraffic, true);

        SplitTraffic traffic = new SplitTraffic(0.005, 0.005);
        CanaryGate gate = gate(spec(threeSteps()), traffic);
        BakeState s = gate.start(T0);
        traffic.weight = 0.01;
        while (s.steps().size() < 2 || s.evaluations().size() < 15) {
            int before = s.steps().size();
            s = gate.evaluate(s, s.nextEvaluationAt()).state();
            if (s.steps().size() > before) {
                traffic.weight = s.currentStep().orElseThrow().weight();
            }
        }
        // the process dies; the state file and Jenkins' serialized copy both bring the bake back
        BakeState fromJson = BakeStates.fromJson(BakeStates.toJson(s));
        assertThat(fromJson).isEqualTo(s);
        assertThat(ResumeTest.javaRoundTrip(s)).isEqualTo(s);
        while (!fromJson.decided()) {
            int before = fromJson.steps().size();
            fromJson = gate.evaluate(fromJson, fromJson.nextEvaluationAt()).state();
            if (fromJson.steps().size() > before) {
                traffic.weight = fromJson.currentStep().orElseThrow().weight();
            }
        }
        assertThat(fromJson).isEqualTo(straight);
    }

    @Test
    void aStateFileWrittenBeforeRolloutsStillReads() throws Exception {
        String old = "{\"format\":1,\"gateDigest\":\"sha256:x\",\"startedAt\":\"2026-11-24T10:00:00Z\","
                + "\"endsAt\":\"2026-11-24T10:30:00Z\",\"nextEvaluationAt\":\"2026-11-24T10:01:00Z\","
                + "\"evaluations\":[],\"decision\":null}";
        assertThat(BakeStates.fromJson(old).steps()).isEmpty();
    }

    @Test
    void withinToleranceOrSamplingNoiseIsNearTheWeight() {
        assertThat(Rollout.near(0.10, 105, 1000, 0.25)).isTrue();
        assertThat(Rollout.near(0.10, 20, 1000, 0.25)).isFalse();
        // 3 of 100 at a 1 % weight is within the noise of so few requests; 30 of 1,000 is not
        assertThat(Rollout.near(0.01, 3, 100, 0.25)).isTrue();
        assertThat(Rollout.near(0.01, 30, 1000, 0.25)).isFalse();
        assertThat(Rollout.near(0.5, 0, 0, 0.25)).as("no traffic is no evidence of a shift").isFalse();
        assertThat(Rollout.near(0.01, 0, 500, 0.25)).as("within the noise, but no canary request at all").isFalse();
    }
}
