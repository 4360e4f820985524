package io.prodgate.core.run;

import io.prodgate.core.smoke.SmokeSpec;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What a caller replaces in the gate file's smoke section: the target ({@code --target}), and a ceiling on the budget
 * that the file cannot loosen (a CI administrator's).
 */
public record SmokeOverrides(Optional<String> target, Optional<BudgetCeiling> budgetCeiling, boolean advisory) {
    public SmokeOverrides {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(budgetCeiling, "budgetCeiling");
    }

    /** The most checks and the longest duration a smoke section may budget for. */
    public record BudgetCeiling(int maxChecks, Duration maxDuration) {
        public BudgetCeiling {
            Objects.requireNonNull(maxDuration, "maxDuration");
        }
    }

    public static SmokeOverrides none() {
        return new SmokeOverrides(Optional.empty(), Optional.empty(), false);
    }

    /** Replaces the section's target; null keeps it, as an option that was not given. */
    public SmokeOverrides withTarget(String newTarget) {
        return new SmokeOverrides(Optional.ofNullable(newTarget), budgetCeiling, advisory);
    }

    public SmokeOverrides withBudgetCeiling(int maxChecks, Duration maxDuration) {
        return new SmokeOverrides(target, Optional.of(new BudgetCeiling(maxChecks, maxDuration)), advisory);
    }

    /** The verdict only advises, whatever the gate file's {@code smoke.mode}; false keeps the file's. */
    public SmokeOverrides withAdvisory(boolean newAdvisory) {
        return new SmokeOverrides(target, budgetCeiling, newAdvisory);
    }

    SmokeSpec apply(SmokeSpec spec) {
        SmokeSpec advised = advisory ? spec.withAdvisory(true) : spec;
        SmokeSpec out = target.map(advised::withTarget).orElse(advised);
        return budgetCeiling.map(c -> out.withBudget(out.budget().atMost(c.maxChecks(), c.maxDuration()))).orElse(out);
    }
}
