package io.prodgate.core.prometheus;

/**
 * A query that produced no data. The same failure kinds end both {@link QueryOutcome} and {@link ScalarOutcome},
 * which is why this interface extends both.
 */
public sealed interface QueryFailure extends QueryOutcome, ScalarOutcome
        permits Unreachable, HttpError, PrometheusError, MalformedBody, AnswerTooLarge {

    /** The API root the query went to, without userinfo, e.g. {@code https://mimir/prometheus}. */
    String endpoint();
}
