package io.prodgate.core.canary;

import io.prodgate.core.prometheus.Sleeper;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Drives a bake on its evaluation grid: live (waiting on the clock until each evaluation), as a replay over stored
 * data (the same schedule, without waiting), or one wake-up at a time for a caller that owns its own timer (a Jenkins
 * step). Every evaluation is made at its own point of the grid, also those that fell due while the process was down,
 * so a resumed bake decides exactly as an uninterrupted one. After each evaluation the listener sees the step, which is
 * where callers persist the state and show progress.
 */
public final class BakeRunner {
    /** Sees every evaluation; a good place to persist the state. */
    @FunctionalInterface
    public interface Listener {
        void onStep(CanaryGate.Step step) throws Exception;
    }

    /**
     * Sees every evaluation and names the state the bake goes on from: the step's own, or one the caller changed
     * after it (a traffic shift made later than the step began counts its settle time from then).
     */
    @FunctionalInterface
    public interface Continuation {
        BakeState onStep(CanaryGate.Step step) throws Exception;
    }

    private final CanaryGate gate;
    private final Continuation next;

    public BakeRunner(CanaryGate gate, Listener listener) {
        Objects.requireNonNull(listener, "listener");
        this.gate = Objects.requireNonNull(gate, "gate");
        this.next = step -> {
            listener.onStep(step);
            return step.state();
        };
    }

    private BakeRunner(CanaryGate gate, Continuation next) {
        this.gate = Objects.requireNonNull(gate, "gate");
        this.next = Objects.requireNonNull(next, "next");
    }

    /** A runner whose listener may change the state after an evaluation; see {@link Continuation}. */
    public static BakeRunner continuing(CanaryGate gate, Continuation next) {
        return new BakeRunner(gate, next);
    }

    /** Evaluates at each scheduled time in turn, as fast as the source answers. */
    public BakeState replay(BakeState state) throws Exception {
        return advance(state, state.endsAt());
    }

    /** Waits on {@code clock} for each evaluation; evaluations that are overdue (after a resume) are made at once. */
    public BakeState live(BakeState state, Clock clock, Sleeper sleeper) throws Exception {
        BakeState current = state;
        while (!current.decided()) {
            Duration wait = Duration.between(clock.instant(), current.nextEvaluationAt());
            if (!wait.isNegative() && !wait.isZero()) {
                sleeper.sleep(wait);
                continue;
            }
            current = advance(current, clock.instant());
        }
        return current;
    }

    /** Makes every evaluation due by {@code now}, each at its own time, and returns the state after the last. */
    public BakeState advance(BakeState state, Instant now) throws Exception {
        BakeState current = state;
        while (!current.decided() && !current.nextEvaluationAt().isAfter(now)) {
            CanaryGate.Step step = gate.evaluate(current, current.nextEvaluationAt());
            if (step.evaluation() == null && !step.decided()) {
                throw new IllegalStateException("the bake made no progress at " + current.nextEvaluationAt());
            }
            current = Objects.requireNonNull(next.onStep(step), "the state to go on from");
        }
        return current;
    }
}
