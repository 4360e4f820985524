package io.prodgate.core.prometheus;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Several one-number queries as one PromQL expression, and its answer split back per query, for
 * {@link PrometheusClient#scalars}.
 *
 * <p>Each query is wrapped {@code label_replace((q), "prodgate_figure", "<tag>", "", "")}: the empty source label
 * always has the empty value, which the empty regex matches, so every series of {@code q} gets the tag and nothing else
 * changes (its value, NaN included, its other labels, its order). The wrapped queries are joined with {@code or}: their
 * series differ at least in the tag, so {@code or} keeps them all. Only standard PromQL is used, so Thanos, Mimir,
 * Cortex and VictoriaMetrics evaluate it as Prometheus does.
 *
 * <p>A query that does not give an instant vector (a scalar, a range vector) cannot be wrapped: Prometheus refuses the
 * whole expression with {@code bad_data}, and the caller asks the queries one by one, so each gets its own exact
 * outcome.
 */
final class Tagging {
    /**
     * The tag label. Prefixed with the product's name so that it does not clash with the labels users' queries keep
     * (a query whose series already carry it would get duplicate label sets, which Prometheus refuses: the queries are
     * then asked one by one), and with no leading {@code __}, which PromQL reserves for internal labels.
     */
    static final String LABEL = "prodgate_figure";

    /** Tags are the caller's own names; this keeps them free of quoting and escaping. */
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_./:-]{1,100}");

    private Tagging() {
    }

    static void checkTag(String tag) {
        if (tag == null || !TAG.matcher(tag).matches()) {
            throw new IllegalArgumentException("a tag is 1 to 100 letters, digits or _ . / : -, got " + tag);
        }
    }

    static String combine(Map<String, String> queries) {
        StringBuilder promql = new StringBuilder();
        queries.forEach((tag, query) -> {
            checkTag(tag);
            // The line break ends a trailing # comment of the query before the closing parenthesis.
            promql.append(promql.length() == 0 ? "" : " or ")
                    .append("label_replace((").append(query).append("\n), \"").append(LABEL).append("\", \"")
                    .append(tag).append("\", \"\", \"\")");
        });
        return promql.toString();
    }

    static TaggedScalars split(QueryOutcome outcome, Map<String, String> queries) {
        if (outcome instanceof QueryFailure failure) {
            TaggedScalars.Status status = refusal(failure);
            if (status != null) {
                return new TaggedScalars(status, outcome, Map.of());
            }
            Map<String, ScalarOutcome> each = new LinkedHashMap<>();
            queries.forEach((tag, query) -> each.put(tag, restate(failure, query)));
            return new TaggedScalars(TaggedScalars.Status.FAILED, outcome, each);
        }
        QueryOutcome.Success success = (QueryOutcome.Success) outcome;
        if (success.resultType() != ResultType.VECTOR) {
            return new TaggedScalars(TaggedScalars.Status.UNSUPPORTED, outcome, Map.of());
        }
        Map<String, List<Series>> byTag = new HashMap<>();
        for (Series series : success.series()) {
            String tag = series.labels().get(LABEL);
            if (tag == null || !queries.containsKey(tag)) {
                // Not PromQL as Prometheus evaluates it: the series cannot be told apart.
                return new TaggedScalars(TaggedScalars.Status.UNSUPPORTED, outcome, Map.of());
            }
            Map<String, String> labels = new HashMap<>(series.labels());
            labels.remove(LABEL);
            byTag.computeIfAbsent(tag, t -> new ArrayList<>()).add(new Series(labels, series.samples()));
        }
        Map<String, ScalarOutcome> each = new LinkedHashMap<>();
        queries.forEach((tag, query) -> each.put(tag, ScalarClassifier.classify(new QueryOutcome.Success(
                ResultType.VECTOR, byTag.getOrDefault(tag, List.of()), success.warnings(), query,
                success.attempts()))));
        return new TaggedScalars(TaggedScalars.Status.ANSWERED, outcome, each);
    }

    /** Whether a failure may be down to the combination rather than to the server; null when it is not. */
    private static TaggedScalars.Status refusal(QueryFailure failure) {
        if (failure instanceof PrometheusError e) {
            if (e.httpStatus() == 400 || e.errorType().equals("bad_data")) {
                return TaggedScalars.Status.UNSUPPORTED;
            }
            // e.g. "vector cannot contain metrics with the same labelset", too many samples: maybe one query's doing
            return e.httpStatus() == 422 || e.errorType().equals("execution") ? TaggedScalars.Status.REFUSED : null;
        }
        if (failure instanceof HttpError e) {
            // a proxy's limits on the request's size, or a bad request that may be one query's
            return switch (e.status()) {
                case 400, 413, 414, 431 -> TaggedScalars.Status.UNSUPPORTED;
                case 422 -> TaggedScalars.Status.REFUSED;
                default -> null;
            };
        }
        return failure instanceof AnswerTooLarge ? TaggedScalars.Status.REFUSED : null;
    }

    /** The same failure, told about one of the combined queries, as asking it alone would have. */
    static QueryFailure restate(QueryFailure failure, String query) {
        if (failure instanceof Unreachable f) {
            return new Unreachable(f.endpoint(), f.reason(), query, f.attempts());
        }
        if (failure instanceof HttpError f) {
            return new HttpError(f.endpoint(), f.status(), f.bodyExcerpt(), query, f.attempts());
        }
        if (failure instanceof PrometheusError f) {
            return new PrometheusError(f.endpoint(), f.httpStatus(), f.errorType(), f.error(), query, f.attempts());
        }
        if (failure instanceof MalformedBody f) {
            return new MalformedBody(f.endpoint(), f.httpStatus(), f.reason(), f.bodyExcerpt(), query, f.attempts());
        }
        AnswerTooLarge f = (AnswerTooLarge) failure;
        return new AnswerTooLarge(f.endpoint(), f.httpStatus(), f.limitBytes(), query, f.attempts());
    }
}
