package io.prodgate.cli;

import io.prodgate.core.canary.CanarySpec;
import io.prodgate.core.canary.EvidenceSource;
import io.prodgate.core.canary.RatioSlo;
import io.prodgate.core.canary.Reading;
import io.prodgate.core.canary.SloEvidence;
import io.prodgate.core.canary.SloSpec;
import io.prodgate.core.canary.ValueCheck;
import io.prodgate.core.prometheus.PrometheusClient;
import io.prodgate.core.prometheus.PrometheusError;
import io.prodgate.core.prometheus.QueryFailure;
import io.prodgate.core.prometheus.ScalarOutcome;
import io.prodgate.core.util.Durations;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The evidence source as it was before issue #11: every figure its own request, and a cache of 512 answers. Kept
 * unchanged as the reference the combined requests of {@link io.prodgate.core.canary.PrometheusEvidence} must agree
 * with, reading for reading.
 */
final class SeparateQueryEvidence implements EvidenceSource {
    /** Enough for the two evaluation times a bake looks at, for a few dozen SLO queries. */
    private static final int CACHE_SIZE = 512;

    private final PrometheusClient client;
    // The cumulative figures at the previous evaluation are asked for again at the next one; without a restart
    // in between, they come from here.
    private final Map<String, ScalarOutcome> cache = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, ScalarOutcome> eldest) {
            return size() > CACHE_SIZE;
        }
    };

    /** Metrics with a selector known to have series, so their existence is asked once per bake. */
    private final Set<String> seenMetrics = new HashSet<>();

    SeparateQueryEvidence(PrometheusClient client) {
        this.client = client;
    }

    @Override
    public List<SloEvidence> collect(CanarySpec spec, Instant bakeStart, Instant from, Instant at) {
        List<SloEvidence> out = new ArrayList<>();
        for (SloSpec slo : spec.slos()) {
            if (slo instanceof RatioSlo ratio) {
                out.add(new SloEvidence(slo.name(), ratio(ratio, spec.canarySelector(), bakeStart, from, at),
                        ratio(ratio, spec.baselineSelector(), bakeStart, from, at)));
            } else {
                ValueCheck check = (ValueCheck) slo;
                String window = Durations.promql(Duration.between(from, at));
                out.add(new SloEvidence(slo.name(), value(SloSpec.render(check.query(), spec.canarySelector(), window), at),
                        null));
            }
        }
        return out;
    }

    private Reading ratio(RatioSlo slo, String selector, Instant bakeStart, Instant from, Instant at) {
        Reading until = cumulative(slo, selector, bakeStart, at);
        if (!until.ok() || !from.isAfter(bakeStart)) {
            return until;
        }
        Reading before = cumulative(slo, selector, bakeStart, from);
        if (before.status() == Reading.Status.NO_DATA) {
            return until; // the side began reporting inside this window
        }
        if (!before.ok()) {
            return before;
        }
        double bad = until.bad() - before.bad();
        double total = until.total() - before.total();
        // increase() handles counter resets, so cumulative figures only go down by its extrapolation's jitter
        if (bad < -jitter(before.bad()) || total < -jitter(before.total())) {
            return Reading.missing(Reading.Status.INVALID, "the cumulative " + (bad < -jitter(before.bad())
                    ? "bad count went down from " + before.bad() + " to " + until.bad()
                    : "event count went down from " + before.total() + " to " + until.total())
                    + " between evaluations, more than a counter reset explains");
        }
        Reading window = Reading.counts(Math.max(0, bad), Math.max(0, total));
        return until.unseenMetric() == null ? window : window.withUnseenMetric(until.unseenMetric());
    }

    private static double jitter(double count) {
        return Math.max(1, count * 0.01);
    }

    /** Bad and all events since the bake began. */
    private Reading cumulative(RatioSlo slo, String selector, Instant bakeStart, Instant at) {
        String window = Durations.promql(Duration.between(bakeStart, at));
        ScalarOutcome total = scalar(SloSpec.render(slo.totalQuery(), selector, window), at);
        if (!(total instanceof ScalarOutcome.Value t)) {
            return missing(total);
        }
        ScalarOutcome events = scalar(SloSpec.render(slo.eventsQuery(), selector, window), at);
        double count;
        String unseen = null;
        if (events instanceof ScalarOutcome.Value v) {
            count = v.value();
        } else if (events instanceof ScalarOutcome.Empty) {
            count = 0; // no series for the events yet (no 5xx ever served) means none happened...
            if (t.value() > 0) {
                unseen = unseenMetric(slo, selector, window, at); // ...unless the metric itself does not exist
            }
        } else {
            return missing(events);
        }
        String invalid = t.value() < 0 ? "the total query answered " + t.value() + "; a count cannot be negative"
                : count < 0 ? "the " + (slo.countsGood() ? "good" : "bad") + " query answered " + count
                        + "; a count cannot be negative"
                : count > t.value() * (1 + 1e-6) + 1e-6 ? "the " + (slo.countsGood() ? "good" : "bad")
                        + " query counts more events (" + count + ") than the total query (" + t.value() + ")"
                : null;
        if (invalid != null) {
            return Reading.missing(Reading.Status.INVALID, invalid);
        }
        double bad = slo.countsGood() ? t.value() - count : count;
        Reading counts = Reading.counts(bad, t.value());
        return unseen == null ? counts : counts.withUnseenMetric(unseen);
    }

    /**
     * The first metric of the events query with no series for {@code selector} since the bake began, or null. A
     * metric once seen is not asked about again.
     */
    private String unseenMetric(RatioSlo slo, String selector, String window, Instant at) {
        for (String metric : slo.eventMetrics()) {
            String key = metric + "{" + selector + "}";
            synchronized (seenMetrics) {
                if (seenMetrics.contains(key)) {
                    continue;
                }
            }
            ScalarOutcome series = client.scalar("count(last_over_time(" + key + "[" + window + "]))", at);
            if (series instanceof ScalarOutcome.Value v && v.value() > 0) {
                synchronized (seenMetrics) {
                    seenMetrics.add(key);
                }
            } else if (series instanceof ScalarOutcome.Empty) {
                return metric;
            }
        }
        return null;
    }

    /** A query's answer; answers that say something about the data are kept, failures are asked again. */
    private ScalarOutcome scalar(String query, Instant at) {
        String key = at.toEpochMilli() + " " + query;
        synchronized (cache) {
            ScalarOutcome known = cache.get(key);
            if (known != null) {
                return known;
            }
        }
        ScalarOutcome outcome = client.scalar(query, at);
        if (!(outcome instanceof QueryFailure)) {
            synchronized (cache) {
                cache.put(key, outcome);
            }
        }
        return outcome;
    }

    private Reading value(String query, Instant at) {
        ScalarOutcome outcome = client.scalar(query, at);
        return outcome instanceof ScalarOutcome.Value v ? Reading.value(v.value()) : missing(outcome);
    }

    private static Reading missing(ScalarOutcome outcome) {
        Reading.Status status;
        if (outcome instanceof PrometheusError e && (e.httpStatus() == 400 || e.errorType().equals("bad_data"))) {
            status = Reading.Status.INVALID; // a query Prometheus cannot parse will not get better by waiting
        } else if (outcome instanceof QueryFailure) {
            status = Reading.Status.SOURCE_ERROR;
        } else if (outcome instanceof ScalarOutcome.TooManySeries || outcome instanceof ScalarOutcome.UnexpectedShape) {
            status = Reading.Status.INVALID;
        } else {
            status = Reading.Status.NO_DATA; // no series, or NaN / Inf: nothing usable was reported
        }
        return Reading.missing(status, outcome.describe());
    }
}
