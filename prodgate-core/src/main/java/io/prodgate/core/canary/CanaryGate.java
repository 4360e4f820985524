package io.prodgate.core.canary;

import io.prodgate.core.verdict.ProofRequirement;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * The canary gate as a state machine driven one evaluation at a time by its caller (the CLI's scheduler, the Jenkins
 * step's timer). It never reads a clock: the caller passes the evaluation time, so a 30-minute bake runs in
 * milliseconds in tests and in replay.
 */
public final class CanaryGate {
    private final CanarySpec spec;
    private final String gateDigest;
    private final EvidenceSource source;
    private final ProofRequirement proof;
    private final CanaryJudge judge;

    public CanaryGate(CanarySpec spec, String gateDigest, EvidenceSource source, ProofRequirement proof) {
        this.spec = Objects.requireNonNull(spec, "spec");
        this.gateDigest = Objects.requireNonNull(gateDigest, "gateDigest");
        this.source = Objects.requireNonNull(source, "source");
        this.proof = Objects.requireNonNull(proof, "proof");
        this.judge = new CanaryJudge(spec);
    }

    public CanarySpec spec() {
        return spec;
    }

    /** A new bake that begins at {@code startedAt}; its first evaluation is one interval later. */
    public BakeState start(Instant startedAt) {
        Instant endsAt = startedAt.plus(spec.bake());
        return new BakeState(BakeState.FORMAT, gateDigest, startedAt, endsAt, nextAfter(startedAt, startedAt, endsAt),
                java.util.List.of(), null);
    }

    /**
     * Evaluates the bake at {@code now}: collects evidence for the window since the last usable evaluation, judges,
     * and returns the new state with either a decision or the time of the next evaluation. A decided state is
     * returned as it is. Evaluating after the bake's end looks at the data up to the end only.
     */
    public Step evaluate(BakeState state, Instant now) {
        if (!state.gateDigest().equals(gateDigest)) {
            throw new IllegalArgumentException("this bake state belongs to another gate file (" + state.gateDigest()
                    + ", not " + gateDigest + ")");
        }
        if (state.decided()) {
            return new Step(state, null, null);
        }
        Instant at = now.isAfter(state.endsAt()) ? state.endsAt() : now;
        Instant from = state.coveredUntil();
        if (!at.isAfter(from)) {
            return new Step(state, null, null); // nothing new to look at yet
        }
        Evaluation evaluation = new Evaluation(from, at, source.collect(spec, state.startedAt(), from, at));
        BakeState evaluated = state.with(evaluation, nextAfter(state.startedAt(), at, state.endsAt()), null);
        Judgement judgement = judge.judge(evaluated, at, proof);
        BakeState next = judgement.decision() == null ? evaluated : evaluated.decide(judgement.decision());
        return new Step(next, judgement, evaluation);
    }

    /** The next point of the bake's evaluation grid after {@code at}, never past the bake's end. */
    private Instant nextAfter(Instant startedAt, Instant at, Instant endsAt) {
        long interval = spec.interval().toMillis();
        long elapsed = Duration.between(startedAt, at).toMillis();
        Instant next = startedAt.plusMillis((elapsed / interval + 1) * interval);
        return next.isAfter(endsAt) ? endsAt : next;
    }

    /**
     * The result of one evaluation. {@code judgement} and {@code evaluation} are null when nothing was evaluated
     * (already decided, or called before there was anything new).
     */
    public record Step(BakeState state, Judgement judgement, Evaluation evaluation) {
        public boolean decided() {
            return state.decided();
        }

        public Instant nextEvaluationAt() {
            return state.nextEvaluationAt();
        }
    }
}
