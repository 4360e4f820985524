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

    private final CanaryGate gate;
    private final Listener listener;

    public BakeRunner(CanaryGate gate, Listener listener) {
        this.gate = Objects.requireNonNull(gate, "gate");
        this.listener = Objects.requireNonNull(listener, "listener");
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
            current = step.state();
            listener.onStep(step);
        }
        return current;
    }
}
