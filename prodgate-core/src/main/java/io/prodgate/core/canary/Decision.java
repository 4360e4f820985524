package io.prodgate.core.canary;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.prodgate.core.verdict.Reason;
import io.prodgate.core.verdict.ReasonType;
import io.prodgate.core.verdict.Verdict;
import java.io.Serializable;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A verdict and why.
 *
 * @param decidedAt the data time at which the verdict was reached (the evaluation time, not the wall clock in replay)
 * @param dryRun    what the dry-run SLOs would have said (the first failure, else where they stood at the decision),
 *                  never part of the verdict; empty without dry-run SLOs (and in states saved before them)
 */
public record Decision(Verdict verdict, Instant decidedAt, List<Reason> reasons,
                       @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Reason> dryRun) implements Serializable {
    public Decision {
        Objects.requireNonNull(verdict, "verdict");
        Objects.requireNonNull(decidedAt, "decidedAt");
        reasons = List.copyOf(reasons);
        dryRun = dryRun == null ? List.of() : List.copyOf(dryRun);
    }

    public Decision(Verdict verdict, Instant decidedAt, List<Reason> reasons) {
        this(verdict, decidedAt, reasons, List.of());
    }

    /**
     * What the dry-run SLO {@code slo} would have decided alone: FAIL where it would have failed the bake, PASS where it
     * held, INCONCLUSIVE otherwise (also when the bake ended before it was judged to the end).
     */
    public Verdict dryRunVerdict(String slo) {
        List<Reason> own = dryRun.stream().filter(r -> r.subject().equals(slo)).toList();
        if (own.stream().anyMatch(r -> r.type() == ReasonType.REGRESSION || r.type() == ReasonType.BREACH)) {
            return Verdict.FAIL;
        }
        return !own.isEmpty() && own.stream().allMatch(r -> r.type() == ReasonType.HELD) ? Verdict.PASS
                : Verdict.INCONCLUSIVE;
    }

    /** The same decision with what the dry-run SLOs would have said. */
    public Decision withDryRun(List<Reason> newDryRun) {
        return new Decision(verdict, decidedAt, reasons, newDryRun);
    }
}
