package io.prodgate.core.canary;

import java.util.List;

/** The judge's view after an evaluation: every SLO's status and, when reached, the decision. */
public record Judgement(List<SloStatus> slos, Decision decision) {
    public Judgement {
        slos = List.copyOf(slos);
    }
}
