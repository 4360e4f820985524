package io.prodgate.core.prometheus;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The result of {@link PrometheusClient#scalar}: a query that should give exactly one number, classified so that a
 * judge can tell "no data" from "not a number" from "ambiguous" from "Prometheus failed".
 */
public sealed interface ScalarOutcome
        permits ScalarOutcome.Value, ScalarOutcome.Empty, ScalarOutcome.NotFinite, ScalarOutcome.TooManySeries,
                ScalarOutcome.UnexpectedShape, QueryFailure {

    String query();

    int attempts();

    /** One readable sentence, safe to print. */
    String describe();

    /** One finite number; {@code labels} is empty for a scalar result. */
    record Value(double value, Map<String, String> labels, Instant time, String query, int attempts)
            implements ScalarOutcome {
        public Value {
            labels = Map.copyOf(labels);
            Objects.requireNonNull(time, "time");
            Objects.requireNonNull(query, "query");
        }

        @Override
        public String describe() {
            return "query " + Texts.quote(query) + " = " + value
                    + (labels.isEmpty() ? "" : " for " + Texts.labels(labels));
        }
    }

    /** No series: the metric does not exist (yet), or the selector matches nothing. */
    record Empty(String query, int attempts) implements ScalarOutcome {
        public Empty {
            Objects.requireNonNull(query, "query");
        }

        @Override
        public String describe() {
            return "query " + Texts.quote(query) + " returned no series (the metric may not exist yet,"
                    + " or the selector matches nothing)";
        }
    }

    /** NaN or ±Inf, typically a ratio over zero traffic ({@code 0/0}, {@code x/0}). */
    record NotFinite(double value, Map<String, String> labels, String query, int attempts) implements ScalarOutcome {
        public NotFinite {
            labels = Map.copyOf(labels);
            Objects.requireNonNull(query, "query");
        }

        @Override
        public String describe() {
            return "query " + Texts.quote(query) + " returned " + Texts.number(value)
                    + (labels.isEmpty() ? "" : " for " + Texts.labels(labels))
                    + " (often a ratio over zero traffic)";
        }
    }

    /**
     * More than one series where one number was expected.
     *
     * @param labelSets the label sets of the first few series, to show which label to aggregate away
     */
    record TooManySeries(int count, List<Map<String, String>> labelSets, String query, int attempts)
            implements ScalarOutcome {
        public TooManySeries {
            labelSets = labelSets.stream().<Map<String, String>>map(Map::copyOf).toList();
            Objects.requireNonNull(query, "query");
        }

        @Override
        public String describe() {
            StringBuilder sets = new StringBuilder();
            for (Map<String, String> set : labelSets) {
                sets.append(sets.length() == 0 ? "" : ", ").append(Texts.labels(set));
            }
            if (count > labelSets.size()) {
                sets.append(", ...");
            }
            return "query " + Texts.quote(query) + " returned " + count + " series where one number was expected"
                    + " (aggregate them, e.g. with sum(...)): " + sets;
        }
    }

    /**
     * A result of the wrong kind, e.g. a range vector ({@code rate(x[5m])} without the function, {@code x[5m]}) with
     * several samples where one instant value was expected.
     */
    record UnexpectedShape(ResultType resultType, String detail, String query, int attempts)
            implements ScalarOutcome {
        public UnexpectedShape {
            Objects.requireNonNull(resultType, "resultType");
            Objects.requireNonNull(detail, "detail");
            Objects.requireNonNull(query, "query");
        }

        @Override
        public String describe() {
            return "query " + Texts.quote(query) + " returned a " + resultType.wireName() + " where one number was"
                    + " expected: " + detail;
        }
    }
}
