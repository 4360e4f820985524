package io.prodgate.core.canary;

import io.prodgate.core.verdict.ProofRequirement;
import io.prodgate.core.util.Durations;
import io.prodgate.core.util.Numbers;
import io.prodgate.core.verdict.Reason;
import io.prodgate.core.verdict.ReasonType;
import io.prodgate.core.verdict.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

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
        List<StepProgress> steps = spec.rollout()
                .map(r -> List.of(new StepProgress(0, r.steps().get(0).weight(), startedAt, null, null)))
                .orElse(List.of());
        return new BakeState(BakeState.FORMAT, gateDigest, startedAt, endsAt, nextAfter(startedAt, startedAt, endsAt),
                List.of(), null, steps);
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
        Optional<Reason> notShifted = Optional.empty();
        if (spec.rollout().isPresent()) {
            RolloutStep r = advanceRollout(spec.rollout().get(), evaluated, evaluation, at);
            evaluated = r.state();
            notShifted = r.notShifted();
        }
        Judgement judgement = judge.judge(evaluated, at, proof);
        Decision decision = judgement.decision();
        if (notShifted.isPresent() && (decision == null || decision.verdict() != Verdict.FAIL)) {
            // a clear regression still fails; otherwise the shift that never came explains the rest
            decision = new Decision(Verdict.INCONCLUSIVE.worst(spec.policy().verdictFor(ReasonType.TRAFFIC_NOT_SHIFTED)),
                    at, List.of(notShifted.get()));
            judgement = new Judgement(judgement.slos(), decision);
        }
        BakeState next = decision == null ? evaluated : evaluated.decide(decision);
        return new Step(next, judgement, evaluation);
    }

    private record RolloutStep(BakeState state, Optional<Reason> notShifted) {
    }

    /**
     * A progressive bake after an evaluation: the current step's shift seen in the window's traffic (its bake starts
     * then), or still awaited (past the settle bound, it never came), or its bake over (the next step begins). The
     * bake's end follows: the longest the steps still ahead may take, exact once the last step's shift is seen.
     */
    private RolloutStep advanceRollout(Rollout rollout, BakeState state, Evaluation evaluation, Instant at) {
        StepProgress current = state.currentStep().orElseThrow();
        Rollout.Step step = rollout.steps().get(current.index());
        List<StepProgress> steps = new ArrayList<>(state.steps());
        Instant endsAt = state.endsAt();
        Optional<Reason> notShifted = Optional.empty();
        if (!current.settled()) {
            Optional<double[]> traffic = evaluation.sourceFailed() ? Optional.empty() : windowTraffic(evaluation);
            if (traffic.isPresent()) {
                double share = traffic.get()[0] / traffic.get()[1];
                current = Rollout.near(current.weight(), traffic.get()[0], traffic.get()[1], rollout.tolerance())
                        ? current.settle(at, share) : current.measured(share);
            }
            if (current.settled()) {
                endsAt = at.plus(step.bake()).plus(rollout.longestFrom(current.index() + 1));
            } else if (Duration.between(current.shiftedAt(), at).compareTo(rollout.settle()) >= 0) {
                notShifted = Optional.of(notShifted(rollout, current, traffic));
            }
            steps.set(steps.size() - 1, current);
        } else if (!at.isBefore(current.settledAt().plus(step.bake()))
                && current.index() < rollout.steps().size() - 1) {
            int next = current.index() + 1;
            steps.add(new StepProgress(next, rollout.steps().get(next).weight(), at, null, null));
            endsAt = at.plus(rollout.longestFrom(next));
        }
        return new RolloutStep(state.withSteps(steps, endsAt, nextAfter(state.startedAt(), at, endsAt)), notShifted);
    }

    /**
     * The canary's and both sides' requests in the window, from the first ratio SLO that both sides answered: what the
     * traffic split really is, whatever weight was asked for.
     */
    private Optional<double[]> windowTraffic(Evaluation evaluation) {
        for (RatioSlo slo : spec.ratioSlos()) {
            Optional<SloEvidence> ev = evaluation.slo(slo.name());
            if (ev.isPresent() && ev.get().canary() != null && ev.get().baseline() != null
                    && ev.get().canary().ok() && ev.get().baseline().ok()) {
                double canary = ev.get().canary().total();
                double total = canary + ev.get().baseline().total();
                if (total > 0) {
                    return Optional.of(new double[] {canary, total});
                }
            }
        }
        return Optional.empty();
    }

    private static Reason notShifted(Rollout rollout, StepProgress step, Optional<double[]> traffic) {
        String measured = step.measuredShare() == null ? "no traffic was measured on both sides"
                : "the canary's share of requests was " + Numbers.percent(step.measuredShare())
                        + traffic.map(t -> " (" + Numbers.count(t[0]) + " of " + Numbers.count(t[1]) + " in the last "
                                + "window)").orElse(" in the last window measured");
        return Reason.of(ReasonType.TRAFFIC_NOT_SHIFTED, "step " + (step.index() + 1) + " of "
                + rollout.steps().size() + " asked for " + Numbers.percent(step.weight()) + " of the traffic on the "
                + "canary, but " + measured + " after the settle time of " + Durations.human(rollout.settle())
                + ": did the traffic action take effect, and do the selectors cover all of the service's instances?");
    }

    /**
     * A progressive bake whose current step's shift was made at {@code at}, some time after the step began (a traffic
     * action that took a while, a caller that shifts on another machine, a resumed bake catching up on evaluations it
     * missed): the settle bound counts from then, and the bake's end moves with it. Unchanged when the bake is decided,
     * has no steps, its step has settled, or {@code at} is not later.
     */
    public BakeState shiftMade(BakeState state, Instant at) {
        if (state.decided() || spec.rollout().isEmpty() || state.currentStep().isEmpty()) {
            return state;
        }
        StepProgress current = state.currentStep().get();
        if (current.settled() || !at.isAfter(current.shiftedAt())) {
            return state;
        }
        List<StepProgress> steps = new ArrayList<>(state.steps());
        steps.set(steps.size() - 1, new StepProgress(current.index(), current.weight(), at, null,
                current.measuredShare()));
        Instant longest = at.plus(spec.rollout().get().longestFrom(current.index()));
        Instant endsAt = longest.isAfter(state.endsAt()) ? longest : state.endsAt();
        return state.withSteps(steps, endsAt, state.nextEvaluationAt());
    }

    /**
     * Ends an undecided bake at {@code at} for a reason found outside the data (a traffic action that failed, the
     * caller stopping it): INCONCLUSIVE, or what the policy makes of the reason's type.
     */
    public BakeState stop(BakeState state, Instant at, Reason reason) {
        if (state.decided()) {
            return state;
        }
        Verdict v = reason.type().isMissingEvidence()
                ? Verdict.INCONCLUSIVE.worst(spec.policy().verdictFor(reason.type())) : Verdict.INCONCLUSIVE;
        return state.decide(new Decision(v, at, List.of(reason)));
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
