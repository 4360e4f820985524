package io.prodgate.core.canary;

import java.io.Serializable;
import java.time.Instant;
import java.util.Objects;

/**
 * How far one step of a progressive bake has come: when its shift was asked for, when the data showed it, and the
 * canary's share last measured.
 *
 * @param index         the step, from 0
 * @param weight        the canary's share asked for, a fraction
 * @param shiftedAt     when the step began (the shift was asked for)
 * @param settledAt     when the measured share came near the weight; null until then
 * @param measuredShare the canary's share of traffic in the last window measured; null before any
 */
public record StepProgress(int index, double weight, Instant shiftedAt, Instant settledAt, Double measuredShare)
        implements Serializable {
    public StepProgress {
        Objects.requireNonNull(shiftedAt, "shiftedAt");
    }

    public boolean settled() {
        return settledAt != null;
    }

    StepProgress measured(double share) {
        return new StepProgress(index, weight, shiftedAt, settledAt, share);
    }

    StepProgress settle(Instant at, double share) {
        return new StepProgress(index, weight, shiftedAt, at, share);
    }
}
