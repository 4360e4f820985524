package io.prodgate.core.prometheus;

import java.util.Objects;

/**
 * An answer longer than the client reads ({@link PrometheusClient#MAX_ANSWER_BYTES}). One number never needs that
 * much; such an answer is a query that selects far too many series, or not a Prometheus API at all. Reading it whole
 * could exhaust the heap, so the client stops at the limit.
 */
public record AnswerTooLarge(String endpoint, int httpStatus, long limitBytes, String query, int attempts)
        implements QueryFailure {
    public AnswerTooLarge {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(query, "query");
    }

    @Override
    public String describe() {
        return "Prometheus at " + endpoint + " sent an answer too large (HTTP " + httpStatus + ", more than "
                + limitBytes / (1024 * 1024) + " MiB) for query " + Texts.quote(query)
                + "; aggregate it to fewer series";
    }
}
