package io.prodgate.core.canary;

import java.io.Serializable;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The whole state of a bake: small, immutable and serializable (Java serialization for Jenkins, JSON lines for the
 * CLI's {@code --state} file: {@link BakeStates}). Resuming from it gives the same outcome as an uninterrupted run,
 * because every decision is recomputed from the recorded evaluations.
 *
 * @param format           the state file format it is saved in, {@link #FORMAT}; a state read from an older file
 *                         holds the same fields and is upgraded to it
 * @param gateDigest       digest of the gate file, so a state file is not resumed under another gate
 * @param startedAt        when the bake began (the canary's start in replay)
 * @param endsAt           when the bake window closes
 * @param nextEvaluationAt when the caller should evaluate next
 * @param evaluations      every evaluation so far, oldest first (a new evaluation extends the list without copying
 *                         it)
 * @param decision         the verdict, once reached; null while baking
 * @param steps            a progressive bake's steps begun so far, the current one last; empty for a bake in one step
 *                         (and in state files written before rollouts)
 */
public record BakeState(int format, String gateDigest, Instant startedAt, Instant endsAt, Instant nextEvaluationAt,
                        List<Evaluation> evaluations, Decision decision, List<StepProgress> steps)
        implements Serializable {
    /** Format 2: JSON lines, appended to (format 1 was one indented JSON object, rewritten whole each time). */
    public static final int FORMAT = 2;

    public BakeState {
        Objects.requireNonNull(gateDigest, "gateDigest");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(endsAt, "endsAt");
        Objects.requireNonNull(nextEvaluationAt, "nextEvaluationAt");
        evaluations = AppendedList.of(evaluations);
        steps = steps == null ? List.of() : List.copyOf(steps);
    }

    /** A bake in one step. */
    public BakeState(int format, String gateDigest, Instant startedAt, Instant endsAt, Instant nextEvaluationAt,
                     List<Evaluation> evaluations, Decision decision) {
        this(format, gateDigest, startedAt, endsAt, nextEvaluationAt, evaluations, decision, List.of());
    }

    /** The step a progressive bake is in; empty for a bake in one step. */
    public java.util.Optional<StepProgress> currentStep() {
        return steps.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(steps.get(steps.size() - 1));
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
        return new BakeState(format, gateDigest, startedAt, endsAt, next, AppendedList.plus(evaluations, evaluation),
                newDecision, steps);
    }

    BakeState decide(Decision newDecision) {
        return new BakeState(format, gateDigest, startedAt, endsAt, nextEvaluationAt, evaluations, newDecision, steps);
    }

    /** The same bake with its steps (the current one changed or added) and the end they now allow. */
    BakeState withSteps(List<StepProgress> newSteps, Instant newEndsAt, Instant next) {
        return new BakeState(format, gateDigest, startedAt, newEndsAt, next, evaluations, decision, newSteps);
    }
}
