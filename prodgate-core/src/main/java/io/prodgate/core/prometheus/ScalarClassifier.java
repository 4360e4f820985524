package io.prodgate.core.prometheus;

import java.util.List;
import java.util.Map;

/** Turns a successful query result into the one-number answer that {@link PrometheusClient#scalar} promises. */
final class ScalarClassifier {
    /** How many label sets {@link ScalarOutcome.TooManySeries} shows; enough to see which label differs. */
    static final int LABEL_SETS_SHOWN = 5;

    private ScalarClassifier() {
    }

    static ScalarOutcome classify(QueryOutcome.Success success) {
        List<Series> series = success.series();
        String query = success.query();
        int attempts = success.attempts();
        if (series.isEmpty()) {
            return new ScalarOutcome.Empty(query, attempts);
        }
        if (series.size() > 1) {
            List<Map<String, String>> shown = series.stream().limit(LABEL_SETS_SHOWN).map(Series::labels).toList();
            return new ScalarOutcome.TooManySeries(series.size(), shown, query, attempts);
        }
        Series only = series.get(0);
        if (only.samples().isEmpty()) {
            return new ScalarOutcome.Empty(query, attempts);
        }
        if (only.samples().size() > 1 || success.resultType() == ResultType.MATRIX) {
            return new ScalarOutcome.UnexpectedShape(success.resultType(),
                    only.samples().size() + " samples in one series; use an instant vector, e.g. wrap a range"
                            + " selector in avg_over_time(...) or rate(...)",
                    query, attempts);
        }
        Sample sample = only.samples().get(0);
        if (!sample.isFinite()) {
            return new ScalarOutcome.NotFinite(sample.value(), only.labels(), query, attempts);
        }
        return new ScalarOutcome.Value(sample.value(), only.labels(), sample.time(), query, attempts);
    }
}
