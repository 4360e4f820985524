package io.prodgate.core.smoke;

import io.prodgate.core.http.HttpRequestSpec;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code smoke} section: where staging lives and the handful of checks that show the deploy works.
 *
 * @param target  base URL for relative check URLs; the CLI's {@code --target} replaces it
 * @param timeBox wall time for all checks together; whatever still runs then is cut off
 * @param advisory whether the verdict only advises: the checks run and report as they would, but never block
 */
public record SmokeSpec(Optional<String> target, Duration timeBox, SmokeBudget budget, List<SmokeCheck> checks,
                        boolean advisory) {
    public static final Duration DEFAULT_TIME_BOX = Duration.ofMinutes(5);

    public SmokeSpec {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(timeBox, "timeBox");
        Objects.requireNonNull(budget, "budget");
        checks = List.copyOf(checks);
    }

    /** A blocking section. */
    public SmokeSpec(Optional<String> target, Duration timeBox, SmokeBudget budget, List<SmokeCheck> checks) {
        this(target, timeBox, budget, checks, false);
    }

    public SmokeSpec withTarget(String newTarget) {
        return new SmokeSpec(Optional.of(newTarget), timeBox, budget, checks, advisory);
    }

    public SmokeSpec withBudget(SmokeBudget newBudget) {
        return new SmokeSpec(target, timeBox, newBudget, checks, advisory);
    }

    public SmokeSpec withAdvisory(boolean newAdvisory) {
        return new SmokeSpec(target, timeBox, budget, checks, newAdvisory);
    }

    /** The HTTP requests of the health and HTTP checks, in order. */
    public List<HttpRequestSpec> requests() {
        return checks.stream().<HttpRequestSpec>mapMulti((c, out) -> {
            if (c instanceof HealthCheck h) {
                out.accept(h.request());
            } else if (c instanceof HttpCheck h) {
                out.accept(h.request());
            }
        }).toList();
    }

    /** The sum of every check's deadline or timeout: the worst case the budget is held against. */
    public Duration worstCase() {
        return checks.stream().map(SmokeCheck::limit).reduce(Duration.ZERO, Duration::plus);
    }
}
