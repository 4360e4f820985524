package io.prodgate.core.run;

import io.prodgate.core.canary.CanarySpec;
import io.prodgate.core.canary.Rollout;
import io.prodgate.core.util.Durations;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What a caller replaces in the gate file's canary section: the selectors ({@code --canary-selector}, a backtest's
 * per-deploy labels) and, for a replay, the window to judge ({@code --from}/{@code --to}).
 */
public record CanaryOverrides(Optional<String> canarySelector, Optional<String> baselineSelector,
                              Optional<Window> replay) {
    public CanaryOverrides {
        Objects.requireNonNull(canarySelector, "canarySelector");
        Objects.requireNonNull(baselineSelector, "baselineSelector");
        Objects.requireNonNull(replay, "replay");
    }

    /** A past stretch of time to judge as if a bake had run over it. */
    public record Window(Instant from, Instant to) {
        public Window {
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(to, "to");
            if (!to.isAfter(from)) {
                throw new IllegalArgumentException("a replay window must end after it starts");
            }
        }

        public Duration length() {
            return Duration.between(from, to);
        }
    }

    public static CanaryOverrides none() {
        return new CanaryOverrides(Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** Replaces either selector; null keeps the gate file's, as an option that was not given. */
    public CanaryOverrides withSelectors(String canary, String baseline) {
        return new CanaryOverrides(Optional.ofNullable(canary), Optional.ofNullable(baseline), replay);
    }

    /** Judges {@code window} instead of baking live: the bake becomes the window, on the schedule a live bake has. */
    public CanaryOverrides withReplay(Window window) {
        return new CanaryOverrides(canarySelector, baselineSelector, Optional.of(window));
    }

    CanarySpec apply(CanarySpec spec) throws RunInputException {
        CanarySpec out = spec;
        if (canarySelector.isPresent() || baselineSelector.isPresent()) {
            out = out.withSelectors(canarySelector.orElse(out.canarySelector()),
                    baselineSelector.orElse(out.baselineSelector()));
        }
        if (replay.isPresent() && out.rollout().isPresent()) {
            // a progressive canary keeps its own schedule, which the recorded shares move along
            Duration shortest = out.rollout().get().steps().stream().map(Rollout.Step::bake)
                    .reduce(Duration.ZERO, Duration::plus);
            if (replay.get().length().compareTo(shortest) < 0) {
                throw new RunInputException("the replay window (" + Durations.human(replay.get().length())
                        + ") is shorter than the rollout's steps bake (" + Durations.human(shortest) + ")");
            }
        } else if (replay.isPresent()) {
            Duration bake = replay.get().length();
            if (bake.compareTo(out.interval()) < 0) {
                throw new RunInputException("the replay window (" + Durations.human(bake)
                        + ") is shorter than the interval (" + Durations.human(out.interval()) + ")");
            }
            out = out.withBake(bake);
        }
        return out;
    }
}
