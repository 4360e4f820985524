package io.prodgate.core.run;

import io.prodgate.core.canary.CanarySpec;
import io.prodgate.core.canary.Rollout;
import io.prodgate.core.canary.SloSpec;
import io.prodgate.core.util.Durations;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * What a caller replaces in the gate file's canary section: the selectors ({@code --canary-selector}, a backtest's
 * per-deploy labels), for a replay the window to judge ({@code --from}/{@code --to}), the advisory mode
 * ({@code --advisory}) and more dry-run SLOs ({@code --dry-run-slo}).
 *
 * @param dryRunSlos names or regular expressions (matching whole SLO names) of SLOs to make dry runs, beside the gate
 *                   file's own
 */
public record CanaryOverrides(Optional<String> canarySelector, Optional<String> baselineSelector,
                              Optional<Window> replay, boolean advisory, List<String> dryRunSlos) {
    public CanaryOverrides {
        Objects.requireNonNull(canarySelector, "canarySelector");
        Objects.requireNonNull(baselineSelector, "baselineSelector");
        Objects.requireNonNull(replay, "replay");
        dryRunSlos = dryRunSlos == null ? List.of() : List.copyOf(dryRunSlos);
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
        return new CanaryOverrides(Optional.empty(), Optional.empty(), Optional.empty(), false, List.of());
    }

    /** Replaces either selector; null keeps the gate file's, as an option that was not given. */
    public CanaryOverrides withSelectors(String canary, String baseline) {
        return new CanaryOverrides(Optional.ofNullable(canary), Optional.ofNullable(baseline), replay, advisory,
                dryRunSlos);
    }

    /** Judges {@code window} instead of baking live: the bake becomes the window, on the schedule a live bake has. */
    public CanaryOverrides withReplay(Window window) {
        return new CanaryOverrides(canarySelector, baselineSelector, Optional.of(window), advisory, dryRunSlos);
    }

    /** The verdict only advises, whatever the gate file's {@code canary.mode}; false keeps the file's. */
    public CanaryOverrides withAdvisory(boolean newAdvisory) {
        return new CanaryOverrides(canarySelector, baselineSelector, replay, newAdvisory, dryRunSlos);
    }

    /** Makes the SLOs matching these names or regular expressions dry runs, beside the gate file's own. */
    public CanaryOverrides withDryRunSlos(List<String> patterns) {
        return new CanaryOverrides(canarySelector, baselineSelector, replay, advisory, patterns);
    }

    CanarySpec apply(CanarySpec spec) throws RunInputException {
        CanarySpec out = spec;
        if (advisory && !out.advisory()) {
            out = out.toBuilder().advisory(true).build();
        }
        if (!dryRunSlos.isEmpty()) {
            out = out.toBuilder().dryRunSlos(dryRuns(out)).build();
        }
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

    /** The gate file's dry runs and those {@link #dryRunSlos} names, every pattern matching at least one SLO. */
    private List<String> dryRuns(CanarySpec spec) throws RunInputException {
        List<String> names = spec.slos().stream().map(SloSpec::name).toList();
        List<String> out = new ArrayList<>(spec.dryRunSlos());
        for (String pattern : dryRunSlos) {
            Pattern p;
            try {
                p = Pattern.compile(pattern);
            } catch (PatternSyntaxException e) {
                throw new RunInputException("--dry-run-slo '" + pattern + "' is neither an SLO name nor a regular "
                        + "expression: " + e.getDescription());
            }
            List<String> matched = names.stream().filter(n -> n.equals(pattern) || p.matcher(n).matches()).toList();
            if (matched.isEmpty()) {
                throw new RunInputException("--dry-run-slo '" + pattern + "' matches none of the SLOs " + names);
            }
            matched.stream().filter(n -> !out.contains(n)).forEach(out::add);
        }
        if (out.size() == names.size()) {
            throw new RunInputException("--dry-run-slo would make every SLO a dry run " + names
                    + ", so nothing would decide the verdict; at least one SLO must not be");
        }
        return out;
    }
}
