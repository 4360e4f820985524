package io.prodgate.core.run;

import io.prodgate.core.canary.BakeState;
import io.prodgate.core.canary.CanaryGate;
import io.prodgate.core.canary.CanaryPlan;
import io.prodgate.core.canary.StepProgress;
import java.util.Optional;

/** Where a canary bake shows itself as it goes: a terminal's progress line, a CI log, a Jenkins step's status. */
public interface BakeListener {
    BakeListener SILENT = new BakeListener() {
    };

    /**
     * The bake begins, or resumes from a saved state; {@code plan} is what it can decide at the recent traffic, for a
     * new live bake whose listener {@linkplain #wantsPlan() asks for one}.
     */
    default void started(BakeState state, boolean replay, boolean resumed, Optional<CanaryPlan> plan) {
    }

    /** Whether to work out the plan at the start of a live bake (a few queries of the recent traffic). */
    default boolean wantsPlan() {
        return false;
    }

    /** A progressive canary's traffic action asked for this step's weight; {@code what} says what it did. */
    default void shifted(StepProgress step, String what) {
    }

    /** An evaluation was made; its state is saved by then. */
    default void evaluated(CanaryGate.Step step) {
    }
}
