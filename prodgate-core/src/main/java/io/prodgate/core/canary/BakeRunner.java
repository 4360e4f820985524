package io.prodgate.core.canary;

import io.prodgate.core.prometheus.Sleeper;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Drives a bake to its verdict: live (waiting on the clock until each evaluation) or as a replay over stored data
 * (evaluating on the same schedule, without waiting). After each evaluation the listener sees the step, which is where
 * the CLI writes its state file and prints progress.
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
        BakeState current = state;
        while (!current.decided()) {
            CanaryGate.Step step = gate.evaluate(current, current.nextEvaluationAt());
            if (step.evaluation() == null && !step.decided()) {
                throw new IllegalStateException("the bake made no progress at " + current.nextEvaluationAt());
            }
            current = step.state();
            listener.onStep(step);
        }
        return current;
    }

    /** Waits on {@code clock} for each evaluation; a state that is overdue (after a resume) is evaluated at once. */
    public BakeState live(BakeState state, Clock clock, Sleeper sleeper) throws Exception {
        BakeState current = state;
        while (!current.decided()) {
            Instant now = clock.instant();
            Duration wait = Duration.between(now, current.nextEvaluationAt());
            if (!wait.isNegative() && !wait.isZero()) {
                sleeper.sleep(wait);
                continue;
            }
            CanaryGate.Step step = gate.evaluate(current, now);
            current = step.state();
            if (step.evaluation() != null || step.decided()) {
                listener.onStep(step);
            }
        }
        return current;
    }
}
