package io.prodgate.core.canary;

import io.prodgate.core.verdict.Reason;
import io.prodgate.core.verdict.Verdict;
import java.io.Serializable;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A verdict and why.
 *
 * @param decidedAt the data time at which the verdict was reached (the evaluation time, not the wall clock in replay)
 */
public record Decision(Verdict verdict, Instant decidedAt, List<Reason> reasons) implements Serializable {
    public Decision {
        Objects.requireNonNull(verdict, "verdict");
        Objects.requireNonNull(decidedAt, "decidedAt");
        reasons = List.copyOf(reasons);
    }
}
