package io.prodgate.core.prometheus;

import java.util.List;
import java.util.Objects;

/**
 * The result of {@link PrometheusClient#instantQuery} or {@link PrometheusClient#rangeQuery}: either
 * {@link Success} or one {@link QueryFailure} per failure kind, so that callers handle each kind explicitly instead
 * of catching exceptions.
 */
public sealed interface QueryOutcome permits QueryOutcome.Success, QueryFailure {

    /** The PromQL text that was sent. */
    String query();

    /** How many HTTP attempts were made (1 when the first answer was final). */
    int attempts();

    /** One readable sentence, safe to print: no credentials, no URL userinfo. */
    String describe();

    /** Prometheus answered {@code "status":"success"}; {@code warnings} are its partial-response notes, if any. */
    record Success(ResultType resultType, List<Series> series, List<String> warnings, String query, int attempts)
            implements QueryOutcome {
        public Success {
            Objects.requireNonNull(resultType, "resultType");
            series = List.copyOf(series);
            warnings = List.copyOf(warnings);
            Objects.requireNonNull(query, "query");
        }

        @Override
        public String describe() {
            return "query " + Texts.quote(query) + " returned " + Texts.plural(series.size(), "series", "series")
                    + " (" + resultType.wireName() + ")"
                    + (warnings.isEmpty() ? "" : " with warnings: " + String.join("; ", warnings));
        }
    }
}
