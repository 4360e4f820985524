package io.prodgate.core.canary;

import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * Where one SLO stands after an evaluation, as the judge saw it: typed by kind of SLO, with the figures, the objective
 * and the evidence that put it there, and which test or bound decided. Reasons, progress lines and reports are
 * rendered from these; nothing here is a sentinel (no NaN, no null).
 */
public sealed interface SloStatus permits SloStatus.Ratio, SloStatus.Value {
    enum State { HOLDING, REGRESSED, BREACHED, BASELINE_UNHEALTHY, NO_DATA, HELD, NOT_RULED_OUT }

    /** What put the SLO in its state. */
    enum DecidedBy {
        /** Nothing yet: the bake goes on. */
        NOTHING_YET,
        /** The sequential test of the canary against the baseline. */
        RELATIVE_TEST,
        /** The sequential test of the canary against the objective. */
        ABSOLUTE_TEST,
        /** The sequential test of the baseline against the objective. */
        BASELINE_TEST,
        /** The confidence bound of the canary's bad ratio over the baseline's, against the detectable regression. */
        RATIO_BOUND,
        /** The confidence bound of the canary's own bad ratio, against the negligible level or the objective. */
        OWN_BOUND,
        /** A side served nothing. */
        NO_TRAFFIC,
        /** A value check's readings: a breaching streak, none at all, or all of them within bounds. */
        READINGS
    }

    String name();

    State state();

    DecidedBy decidedBy();

    /** The SLO's figures in a line, e.g. for a progress line or a pipeline label. */
    String summary();

    /**
     * The sequential tests' e-values and the e-value at which each decides.
     *
     * @param relative of "the canary is worse than the baseline beyond the tolerance"
     * @param absolute of "the canary breaches the objective"
     * @param baseline of "the baseline breaches the objective"
     */
    record Evidence(double relative, double absolute, double baseline, double threshold) {
    }

    /**
     * A ratio SLO: its outcome (which carries the figures and bounds), what it is held to, and the tests' evidence.
     *
     * @param objective the share of good events required, a fraction (0.999)
     * @param budget    the share of bad events allowed, {@code 1 - objective}
     */
    record Ratio(String name, RatioOutcome outcome, double objective, double budget, Evidence evidence)
            implements SloStatus {
        public Ratio {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(outcome, "outcome");
            Objects.requireNonNull(evidence, "evidence");
        }

        public RatioFigures figures() {
            return outcome.figures();
        }

        /** The canary's bad ratio since the bake began; empty without traffic. */
        public OptionalDouble canaryRatio() {
            RatioFigures f = figures();
            return f.canaryTotal() > 0 ? OptionalDouble.of(f.canaryBad() / f.canaryTotal()) : OptionalDouble.empty();
        }

        /** The baseline's bad ratio since the bake began; empty without traffic. */
        public OptionalDouble baselineRatio() {
            RatioFigures f = figures();
            return f.baselineTotal() > 0 ? OptionalDouble.of(f.baselineBad() / f.baselineTotal())
                    : OptionalDouble.empty();
        }

        /** How many times the baseline's bad ratio the canary's may be, where the end of the bake bounded it. */
        public OptionalDouble ratioUpperBound() {
            if (outcome instanceof RatioOutcome.NotRuledOut n && Double.isFinite(n.ratioUpper())) {
                return OptionalDouble.of(n.ratioUpper());
            }
            if (outcome instanceof RatioOutcome.HeldAgainstBaseline h) {
                return OptionalDouble.of(h.ratioUpper());
            }
            return OptionalDouble.empty();
        }

        @Override
        public State state() {
            return MEANINGS.get(outcome.getClass()).state();
        }

        @Override
        public DecidedBy decidedBy() {
            return MEANINGS.get(outcome.getClass()).decidedBy();
        }

        private record Meaning(State state, DecidedBy decidedBy) {
        }

        /** What each outcome means for the SLO; a test checks that every outcome has its entry. */
        static final Map<Class<? extends RatioOutcome>, Meaning> MEANINGS = Map.ofEntries(
                Map.entry(RatioOutcome.Holding.class, new Meaning(State.HOLDING, DecidedBy.NOTHING_YET)),
                Map.entry(RatioOutcome.Regressed.class, new Meaning(State.REGRESSED, DecidedBy.RELATIVE_TEST)),
                Map.entry(RatioOutcome.Breached.class, new Meaning(State.BREACHED, DecidedBy.ABSOLUTE_TEST)),
                Map.entry(RatioOutcome.BaselineUnhealthy.class,
                        new Meaning(State.BASELINE_UNHEALTHY, DecidedBy.BASELINE_TEST)),
                Map.entry(RatioOutcome.HeldOnOwnFigures.class, new Meaning(State.HELD, DecidedBy.OWN_BOUND)),
                Map.entry(RatioOutcome.NoCanaryData.class, new Meaning(State.NO_DATA, DecidedBy.NO_TRAFFIC)),
                Map.entry(RatioOutcome.NoBaselineData.class, new Meaning(State.NO_DATA, DecidedBy.NO_TRAFFIC)),
                Map.entry(RatioOutcome.AboveBudget.class, new Meaning(State.NOT_RULED_OUT, DecidedBy.OWN_BOUND)),
                Map.entry(RatioOutcome.NotRuledOut.class, new Meaning(State.NOT_RULED_OUT, DecidedBy.RATIO_BOUND)),
                Map.entry(RatioOutcome.HeldAgainstBaseline.class, new Meaning(State.HELD, DecidedBy.RATIO_BOUND)),
                Map.entry(RatioOutcome.HeldAsNegligible.class, new Meaning(State.HELD, DecidedBy.OWN_BOUND)));

        @Override
        public String summary() {
            return name + " " + CanaryJudge.figures(figures());
        }
    }

    /**
     * A value check: its latest reading (empty before the first), the bounds it must stay within, and how many
     * readings in a row breached them.
     */
    record Value(String name, State state, OptionalDouble last, String bounds, int readings, int breachStreak)
            implements SloStatus {
        public Value {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(state, "state");
            Objects.requireNonNull(last, "last");
            Objects.requireNonNull(bounds, "bounds");
        }

        @Override
        public DecidedBy decidedBy() {
            return state == State.HOLDING ? DecidedBy.NOTHING_YET : DecidedBy.READINGS;
        }

        @Override
        public String summary() {
            return name + " " + (last.isEmpty() ? "no value yet"
                    : "value " + io.prodgate.core.util.Numbers.value(last.getAsDouble()) + ", must be " + bounds);
        }
    }
}
