package io.prodgate.core.canary;

import static org.assertj.core.api.Assertions.assertThat;

import io.prodgate.core.verdict.ProofRequirement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The judge folds each evaluation into running evidence once, instead of re-judging the whole history: over random
 * bakes (regressions with late onsets, outages, empty and unusable answers, value checks), its judgement after every
 * evaluation is exactly, figure for figure, what a judge that has seen nothing before gives for the same state, and a
 * bake resumed from its JSON state file (new objects, folded again) ends as the uninterrupted one.
 */
class IncrementalJudgeTest {
    static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");

    @Test
    void everyJudgementEqualsJudgingTheWholeBakeAgain() {
        int decided = 0;
        int evaluations = 0;
        for (long seed = 1; seed <= 150; seed++) {
            SplittableRandom rng = new SplittableRandom(seed);
            CanarySpec spec = randomSpec(rng);
            CanaryGate gate = new CanaryGate(spec, Specs.DIGEST, new RandomSource(seed, rng.nextDouble() < 0.5
                    ? 1 : 1 + rng.nextDouble() * 4, rng.nextInt(spec.evaluations() + 1)), ProofRequirement.none());
            BakeState state = gate.start(T0);
            while (!state.decided()) {
                // now and then an evaluation comes late, as after a stalled timer
                Instant now = state.nextEvaluationAt().plus(rng.nextDouble() < 0.1 ? spec.interval() : Duration.ZERO);
                CanaryGate.Step step = gate.evaluate(state, now);
                BakeState judged = step.state();
                assertThat(step.judgement()).as("seed %d, evaluation %d", seed, judged.evaluations().size())
                        .isEqualTo(new CanaryJudge(spec).judge(judged, step.evaluation().at(), ProofRequirement.none()));
                state = judged;
                evaluations++;
            }
            decided++;
        }
        assertThat(decided).isEqualTo(150);
        assertThat(evaluations).isGreaterThan(150 * 5);
    }

    @Test
    void aBakeResumedFromItsStateFileEndsAsTheUninterruptedOne() throws Exception {
        for (long seed = 1; seed <= 40; seed++) {
            SplittableRandom rng = new SplittableRandom(seed);
            CanarySpec spec = randomSpec(rng);
            double regression = 1 + rng.nextDouble() * 3;
            int onset = rng.nextInt(spec.evaluations() + 1);
            CanaryGate gate = new CanaryGate(spec, Specs.DIGEST, new RandomSource(seed, regression, onset),
                    ProofRequirement.none());
            BakeState straight = gate.start(T0);
            List<BakeState> states = new ArrayList<>();
            while (!straight.decided()) {
                straight = gate.evaluate(straight, straight.nextEvaluationAt()).state();
                states.add(straight);
            }
            BakeState resumed = BakeStates.fromJson(BakeStates.toJson(states.get(rng.nextInt(states.size()))));
            // the same judge goes on with a state it did not build: it must fold it again, not extend its own
            while (!resumed.decided()) {
                resumed = gate.evaluate(resumed, resumed.nextEvaluationAt()).state();
            }
            assertThat(resumed.decision()).as("seed %d", seed).isEqualTo(straight.decision());
        }
    }

    @Test
    void theRunningEvidenceExtendsOnlyItsOwnBake() {
        CanarySpec spec = Specs.twoSlos();
        CanaryGate gate = new CanaryGate(spec, Specs.DIGEST, new RandomSource(3, 1, 0), ProofRequirement.none());
        BakeState one = gate.evaluate(gate.start(T0), T0.plus(spec.interval())).state();
        BakeState two = gate.evaluate(one, one.nextEvaluationAt()).state();
        BakeEvidence evidence = new BakeEvidence(spec, T0);
        evidence.foldUpTo(one);
        assertThat(evidence.isPrefixOf(two)).isTrue();
        evidence.foldUpTo(two);
        assertThat(evidence.evaluations()).isEqualTo(2);
        assertThat(evidence.isPrefixOf(one)).as("a shorter state").isFalse();
        assertThat(evidence.isPrefixOf(two)).as("the same state again").isTrue();
        BakeState other = gate.evaluate(gate.evaluate(gate.start(T0), T0.plus(spec.interval())).state(),
                T0.plus(spec.interval().multipliedBy(2))).state();
        assertThat(evidence.isPrefixOf(other)).as("another bake's evaluations, equal or not").isFalse();
        assertThat(evidence.isPrefixOf(gate.start(T0.plusSeconds(1)))).as("another start").isFalse();
    }

    private static CanarySpec randomSpec(SplittableRandom rng) {
        List<SloSpec> slos = new ArrayList<>();
        slos.add(Specs.availability());
        if (rng.nextBoolean()) {
            slos.add(Specs.latency());
        }
        if (rng.nextDouble() < 0.3) {
            slos.add(new ValueCheck("cpu", "cpu{${selector}}", OptionalDouble.empty(), OptionalDouble.of(0.9), 2));
        }
        EvidencePolicy policy = EvidencePolicy.inconclusive();
        CanarySpec base = Specs.spec(slos, policy);
        return base.toBuilder().bake(Duration.ofMinutes(5 + rng.nextInt(56))).build();
    }

    /**
     * Random readings, drawn from the seed and the window, so the same window reads the same after a resume: Poisson-
     * like traffic on both sides, a canary regression by {@code regression} from evaluation {@code onset}, and now
     * and then a source error, an empty or unusable answer, a quiet side, a metric never seen.
     */
    private record RandomSource(long seed, double regression, int onset) implements EvidenceSource {
        @Override
        public List<SloEvidence> collect(CanarySpec spec, Instant bakeStart, Instant from, Instant at) {
            SplittableRandom rng = new SplittableRandom(seed * 31 + at.toEpochMilli());
            long index = Duration.between(bakeStart, at).dividedBy(spec.interval());
            double seconds = Duration.between(from, at).toMillis() / 1000.0;
            List<SloEvidence> out = new ArrayList<>();
            for (SloSpec slo : spec.slos()) {
                if (slo instanceof ValueCheck) {
                    out.add(new SloEvidence(slo.name(), rng.nextDouble() < 0.1 ? Reading.missing(Reading.Status.NO_DATA,
                            "no series") : Reading.value(rng.nextDouble()), null));
                    continue;
                }
                double base = slo.name().equals("availability") ? 0.004 : 0.02;
                double canary = index >= onset ? base * regression : base;
                out.add(new SloEvidence(slo.name(), reading(rng, 15 * seconds, canary),
                        reading(rng, 150 * seconds, base)));
            }
            return out;
        }

        private static Reading reading(SplittableRandom rng, double expected, double badRatio) {
            double u = rng.nextDouble();
            if (u < 0.04) {
                return Reading.missing(Reading.Status.SOURCE_ERROR, "connection refused");
            }
            if (u < 0.07) {
                return Reading.missing(Reading.Status.NO_DATA, "no series");
            }
            if (u < 0.075) {
                return Reading.missing(Reading.Status.INVALID, "several series");
            }
            if (u < 0.1) {
                return Reading.counts(0, 0);
            }
            double total = Math.max(0, Math.round(expected + rng.nextGaussian() * Math.sqrt(expected)));
            double bad = Math.max(0, Math.round(total * badRatio + rng.nextGaussian() * Math.sqrt(total * badRatio)));
            Reading r = Reading.counts(bad, total);
            return u > 0.995 ? r.withUnseenMetric("bad") : r;
        }
    }
}
