package io.prodgate.core.canary;

import java.io.Serializable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The whole state of a bake: small, immutable and serializable (Java serialization for Jenkins, JSON for the CLI's
 * {@code --state} file). Resuming from it gives the same outcome as an uninterrupted run, because every decision is
 * recomputed from the recorded evaluations.
 *
 * @param gateDigest       digest of the gate file, so a state file is not resumed under another gate
 * @param startedAt        when the bake began (the canary's start in replay)
 * @param endsAt           when the bake window closes
 * @param nextEvaluationAt when the caller should evaluate next
 * @param evaluations      every evaluation so far, oldest first
 * @param decision         the verdict, once reached; null while baking
 */
public record BakeState(int format, String gateDigest, Instant startedAt, Instant endsAt, Instant nextEvaluationAt,
                        List<Evaluation> evaluations, Decision decision) implements Serializable {
    public static final int FORMAT = 1;

    public BakeState {
        Objects.requireNonNull(gateDigest, "gateDigest");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(endsAt, "endsAt");
        Objects.requireNonNull(nextEvaluationAt, "nextEvaluationAt");
        evaluations = List.copyOf(evaluations);
    }

    public boolean decided() {
        return decision != null;
    }

    /** Where the next evaluation's window starts: after the last evaluation whose queries all succeeded. */
    public Instant coveredUntil() {
        for (int i = evaluations.size() - 1; i >= 0; i--) {
            if (!evaluations.get(i).sourceFailed()) {
                return evaluations.get(i).at();
            }
        }
        return startedAt;
    }

    BakeState with(Evaluation evaluation, Instant next, Decision newDecision) {
        List<Evaluation> all = new ArrayList<>(evaluations);
        all.add(evaluation);
        return new BakeState(format, gateDigest, startedAt, endsAt, next, all, newDecision);
    }

    BakeState decide(Decision newDecision) {
        return new BakeState(format, gateDigest, startedAt, endsAt, nextEvaluationAt, evaluations, newDecision);
    }
}
