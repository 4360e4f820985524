package io.prodgate.core.prometheus;

import java.util.Objects;

/**
 * Prometheus answered {@code {"status":"error","errorType":...,"error":...}}: e.g. {@code bad_data} for a PromQL
 * syntax error (HTTP 400), {@code execution} (422), {@code timeout} or {@code unavailable} (503).
 *
 * @param httpStatus the HTTP status the error document came with
 * @param error      the message, credentials redacted
 */
public record PrometheusError(String endpoint, int httpStatus, String errorType, String error, String query,
        int attempts) implements QueryFailure {
    public PrometheusError {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(errorType, "errorType");
        Objects.requireNonNull(error, "error");
        Objects.requireNonNull(query, "query");
    }

    @Override
    public String describe() {
        return "Prometheus at " + endpoint + " rejected query " + Texts.quote(query) + " with " + errorType + ": "
                + error + " (HTTP " + httpStatus + ", " + Texts.afterAttempts(attempts) + ")";
    }
}
