package io.prodgate.core.canary;

import java.time.Duration;

/**
 * Where one ratio SLO stands after an evaluation, with the figures that put it there. The judge renders reasons from
 * these; the planner counts them.
 */
public sealed interface RatioOutcome {
    /** The whole bake's figures so far. */
    RatioFigures figures();

    /** Whether this outcome fails the canary. */
    default boolean fails() {
        return this instanceof Regressed || this instanceof Breached;
    }

    /** Whether this outcome vouches for the canary at the end of the bake. */
    default boolean vouches() {
        return this instanceof HeldAgainstBaseline || this instanceof HeldAsNegligible
                || this instanceof HeldOnOwnFigures;
    }

    /** The bake goes on; nothing is decided yet. */
    record Holding(RatioFigures figures) implements RatioOutcome {
    }

    /** The relative test shows the canary worse than the baseline beyond the tolerance, {@code after} into the bake. */
    record Regressed(RatioFigures figures, Duration after, RatioFigures sinceThen) implements RatioOutcome {
    }

    /** The absolute test shows the canary breaching the objective. */
    record Breached(RatioFigures figures, Duration after, RatioFigures sinceThen) implements RatioOutcome {
    }

    /** The baseline itself breaches the objective, so the comparison cannot vouch for the canary. */
    record BaselineUnhealthy(RatioFigures figures) implements RatioOutcome {
    }

    /** The baseline breaches the objective, but the canary's own figures prove that it holds it. */
    record HeldOnOwnFigures(RatioFigures figures, double canaryUpper) implements RatioOutcome {
    }

    /** The canary served nothing in the whole bake. */
    record NoCanaryData(RatioFigures figures) implements RatioOutcome {
    }

    /** The baseline served nothing in the whole bake: there is nothing to compare with. */
    record NoBaselineData(RatioFigures figures) implements RatioOutcome {
    }

    /** The canary's bad ratio is above the budget, on too few events to call it a breach. */
    record AboveBudget(RatioFigures figures) implements RatioOutcome {
    }

    /**
     * At the end, neither route could vouch: the canary may be up to {@code ratioUpper} times the baseline's bad ratio
     * (infinite without baseline bad events), up to {@code lateRatioUpper} times in the bake's second half alone, and
     * its own bad ratio up to {@code canaryUpper}.
     */
    record NotRuledOut(RatioFigures figures, double ratioUpper, double lateRatioUpper, double canaryUpper,
                       double negligible, boolean signOfRegression) implements RatioOutcome {
    }

    /** Held: the data rule out a regression of the detectable size; the canary is at most {@code ratioUpper} x. */
    record HeldAgainstBaseline(RatioFigures figures, double ratioUpper) implements RatioOutcome {
    }

    /**
     * Held: the baseline has too few bad events to compare with, and the canary's bad ratio is provably below the
     * negligible level ({@code canaryUpper <= negligible}) with no sign of being worse than the baseline.
     */
    record HeldAsNegligible(RatioFigures figures, double canaryUpper, double negligible) implements RatioOutcome {
    }
}
