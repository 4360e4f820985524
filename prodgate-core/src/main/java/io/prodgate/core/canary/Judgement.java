package io.prodgate.core.canary;

import io.prodgate.core.verdict.Reason;
import java.util.List;

/**
 * The judge's view after an evaluation: every SLO's status and, when reached, the decision.
 *
 * @param dryRun the dry-run SLOs that would have failed the bake by now, each at its first failure; never part of the
 *               decision
 */
public record Judgement(List<SloStatus> slos, Decision decision, List<Reason> dryRun) {
    public Judgement {
        slos = List.copyOf(slos);
        dryRun = dryRun == null ? List.of() : List.copyOf(dryRun);
    }

    public Judgement(List<SloStatus> slos, Decision decision) {
        this(slos, decision, List.of());
    }
}
