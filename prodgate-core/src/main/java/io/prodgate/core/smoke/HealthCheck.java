package io.prodgate.core.smoke;

import io.prodgate.core.http.HttpRequestSpec;
import java.time.Duration;
import java.util.Objects;

/**
 * Polls a URL until it answers {@code expectStatus} or the deadline passes: the deploy is up. Runs before the other
 * checks, which are not run when the target never becomes healthy.
 *
 * @param request  the poll; its timeout bounds each attempt
 * @param interval the pause between attempts
 */
public record HealthCheck(String name, HttpRequestSpec request, Duration deadline, Duration interval, int expectStatus)
        implements SmokeCheck {
    public HealthCheck {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(deadline, "deadline");
        Objects.requireNonNull(interval, "interval");
    }

    @Override
    public String kind() {
        return "health";
    }

    @Override
    public Duration limit() {
        return deadline;
    }
}
