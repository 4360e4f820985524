package io.prodgate.core.prometheus;

import java.util.Objects;

/**
 * No HTTP answer: connection refused, unknown host, timeout, TLS failure.
 *
 * @param reason what happened, e.g. {@code connection refused} or {@code timed out after 10s}
 */
public record Unreachable(String endpoint, String reason, String query, int attempts) implements QueryFailure {
    public Unreachable {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(query, "query");
    }

    @Override
    public String describe() {
        return "Prometheus at " + endpoint + " is unreachable: " + reason + " (" + Texts.afterAttempts(attempts) + ")";
    }
}
