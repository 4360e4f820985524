package io.prodgate.core.prometheus;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One time series of a query result: its label set (sorted, so that it prints stably) and its samples in time order.
 * A scalar result is a series with no labels and one sample.
 */
public record Series(Map<String, String> labels, List<Sample> samples) {
    public Series {
        labels = Collections.unmodifiableMap(new TreeMap<>(Objects.requireNonNull(labels, "labels")));
        samples = List.copyOf(samples);
    }

    /** The label set in PromQL notation, e.g. {@code {code="500", job="api"}}. */
    public String labelString() {
        return Texts.labels(labels);
    }
}
