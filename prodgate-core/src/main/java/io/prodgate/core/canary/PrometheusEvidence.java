package io.prodgate.core.canary;

import io.prodgate.core.prometheus.PrometheusClient;
import io.prodgate.core.prometheus.PrometheusError;
import io.prodgate.core.prometheus.QueryFailure;
import io.prodgate.core.prometheus.ScalarOutcome;
import io.prodgate.core.prometheus.TaggedScalars;
import io.prodgate.core.util.Durations;
import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads canary and baseline evidence from a Prometheus-compatible API.
 *
 * <p>Event counts come from the ratio SLO's templates evaluated with {@code ${window}} reaching back to the start of
 * the bake, and a window's counts are the difference of two such cumulative figures. Counting window by window
 * instead ({@code increase(x[1m])} every minute) would lose the events between the last sample of one window and the
 * first of the next, and {@code increase()} would extrapolate the rest: the counts would be rate estimates, noisier
 * than the events they stand for, and the judge would see more evidence than there is. Over the whole bake the
 * extrapolation shrinks to a scrape interval in many, so the differences are close to the events themselves.
 *
 * <p>One evaluation is one request for all ratio SLOs: every side's cumulative total and events figures at the
 * evaluation time, and the existence of the event metrics not seen yet, tagged and joined with {@code or}
 * ({@link PrometheusClient#scalars}); each figure gets the outcome its own query would have had, so the readings are
 * those of separate queries. The figures at the start of the window are the previous evaluation's, kept; only when they
 * are not known (the first evaluation after a restart) does one more request ask them. Should the store refuse the
 * combined form (a query that cannot be wrapped, such as one giving a scalar), the figures are asked one by one, then
 * and from then on, so each error is told about its own query. Value checks are one request each.
 */
public final class PrometheusEvidence implements EvidenceSource {
    private final PrometheusClient client;

    /**
     * Whether the ratio SLOs' figures are asked in one combined request; false once the store refused the combined
     * form (a query that cannot be wrapped, such as one giving a scalar), and from then on each is its own request.
     */
    private volatile boolean combine = true;

    /**
     * Per ratio SLO and side ({@code 0/canary}), its cumulative figures at the latest evaluation: the next one reads
     * them as the figures at the start of its window. Nothing else is kept, so a bake holds a few entries however
     * long it runs. Figures that came with a failure are not kept: they are asked again.
     */
    private final Map<String, Kept> kept = new HashMap<>();

    /** Metrics with a selector known to have series, so their existence is asked once per bake. */
    private final Set<String> seenMetrics = new HashSet<>();

    private record Kept(Instant at, String totalQuery, String eventsQuery, Reading reading) implements Serializable {
    }

    /** One side of one ratio SLO. */
    private record Side(String key, RatioSlo slo, String selector) {
        String total(String window) {
            return SloSpec.render(slo.totalQuery(), selector, window);
        }

        String events(String window) {
            return SloSpec.render(slo.eventsQuery(), selector, window);
        }
    }

    public PrometheusEvidence(PrometheusClient client) {
        this.client = client;
    }

    @Override
    public List<SloEvidence> collect(CanarySpec spec, Instant bakeStart, Instant from, Instant at) {
        List<Side> sides = new ArrayList<>();
        for (int i = 0; i < spec.slos().size(); i++) {
            if (spec.slos().get(i) instanceof RatioSlo ratio) {
                sides.add(new Side(i + "/canary", ratio, spec.canarySelector()));
                sides.add(new Side(i + "/baseline", ratio, spec.baselineSelector()));
            }
        }
        Map<String, Reading> ratios = ratios(sides, bakeStart, from, at);
        List<SloEvidence> out = new ArrayList<>();
        for (int i = 0; i < spec.slos().size(); i++) {
            SloSpec slo = spec.slos().get(i);
            if (slo instanceof RatioSlo) {
                out.add(new SloEvidence(slo.name(), ratios.get(i + "/canary"), ratios.get(i + "/baseline")));
            } else {
                ValueCheck check = (ValueCheck) slo;
                String window = Durations.promql(Duration.between(from, at));
                out.add(new SloEvidence(slo.name(), value(SloSpec.render(check.query(), spec.canarySelector(), window), at),
                        null));
            }
        }
        return out;
    }

    /**
     * Every ratio reading of one evaluation: the cumulative figures at {@code at} (and the existence of the metrics
     * not seen yet) in one request, less the figures at {@code from}, which the previous evaluation kept, or else one
     * more request asks.
     */
    private Map<String, Reading> ratios(List<Side> sides, Instant bakeStart, Instant from, Instant at) {
        Map<String, Reading> readings = new HashMap<>();
        if (sides.isEmpty()) {
            return readings;
        }
        String window = Durations.promql(Duration.between(bakeStart, at));
        String fromWindow = Durations.promql(Duration.between(bakeStart, from));
        Map<String, Kept> previous;
        synchronized (kept) {
            previous = new HashMap<>(kept);
        }

        Map<String, String> figures = new LinkedHashMap<>(); // query -> tag
        for (Side side : sides) {
            figures.putIfAbsent(side.total(window), side.key() + "/total");
            figures.putIfAbsent(side.events(window), side.key() + "/events");
        }
        Map<String, String> probes = new LinkedHashMap<>(); // query -> metric{selector}
        for (Side side : sides) {
            List<String> metrics = side.slo().eventMetrics();
            for (int m = 0; m < metrics.size(); m++) {
                String key = metrics.get(m) + "{" + side.selector() + "}";
                if (!seen(key) && figures.putIfAbsent(probe(key, window), side.key() + "/seen" + m) == null) {
                    probes.put(probe(key, window), key);
                }
            }
        }
        Answers now = answers(figures, at);
        probes.forEach((query, key) -> {
            if (now.known(query) instanceof ScalarOutcome.Value v && v.value() > 0) {
                markSeen(key);
            }
        });

        Map<String, Cumulative> until = new LinkedHashMap<>();
        for (Side side : sides) {
            until.put(side.key(), cumulative(side, window, now, true));
        }

        // the figures at the start of the window, for the sides that need them
        Map<String, Reading> before = new HashMap<>();
        List<Side> unknown = new ArrayList<>();
        for (Side side : sides) {
            if (!until.get(side.key()).reading().ok() || !from.isAfter(bakeStart)) {
                continue;
            }
            Kept k = previous.get(side.key());
            if (k != null && k.at().equals(from) && k.totalQuery().equals(side.total(fromWindow))
                    && k.eventsQuery().equals(side.events(fromWindow))) {
                before.put(side.key(), k.reading());
            } else {
                unknown.add(side);
            }
        }
        if (!unknown.isEmpty()) {
            Map<String, String> earlier = new LinkedHashMap<>();
            for (Side side : unknown) {
                earlier.putIfAbsent(side.total(fromWindow), side.key() + "/total");
                earlier.putIfAbsent(side.events(fromWindow), side.key() + "/events");
            }
            Answers then = answers(earlier, from);
            for (Side side : unknown) {
                before.put(side.key(), cumulative(side, fromWindow, then, false).reading());
            }
        }

        synchronized (kept) {
            for (Side side : sides) {
                Cumulative c = until.get(side.key());
                if (c.keep()) {
                    kept.put(side.key(), new Kept(at, side.total(window), side.events(window), c.reading()));
                } else {
                    kept.remove(side.key());
                }
            }
        }
        for (Side side : sides) {
            Reading u = until.get(side.key()).reading();
            Reading b = before.get(side.key());
            readings.put(side.key(), b == null ? u : window(u, b));
        }
        return readings;
    }

    /** The window's counts from the cumulative figures at its end and at its start. */
    private static Reading window(Reading until, Reading before) {
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

    /** A side's cumulative reading, and whether the next evaluation may read it again (no failure in it). */
    private record Cumulative(Reading reading, boolean keep) {
    }

    /**
     * Bad and all events since the bake began.
     *
     * @param probe whether to say which metric of the events query has had no series (only for the end of a window:
     *              the start's reading is only read for its counts)
     */
    private Cumulative cumulative(Side side, String window, Answers answers, boolean probe) {
        RatioSlo slo = side.slo();
        ScalarOutcome total = answers.get(side.total(window));
        if (!(total instanceof ScalarOutcome.Value t)) {
            return new Cumulative(missing(total), !(total instanceof QueryFailure));
        }
        ScalarOutcome events = answers.get(side.events(window));
        double count;
        String unseen = null;
        if (events instanceof ScalarOutcome.Value v) {
            count = v.value();
        } else if (events instanceof ScalarOutcome.Empty) {
            count = 0; // no series for the events yet (no 5xx ever served) means none happened...
            if (t.value() > 0 && probe) {
                unseen = unseenMetric(side, window, answers); // ...unless the metric itself does not exist
            }
        } else {
            return new Cumulative(missing(events), !(events instanceof QueryFailure));
        }
        String invalid = t.value() < 0 ? "the total query answered " + t.value() + "; a count cannot be negative"
                : count < 0 ? "the " + (slo.countsGood() ? "good" : "bad") + " query answered " + count
                        + "; a count cannot be negative"
                : count > t.value() * (1 + 1e-6) + 1e-6 ? "the " + (slo.countsGood() ? "good" : "bad")
                        + " query counts more events (" + count + ") than the total query (" + t.value() + ")"
                : null;
        if (invalid != null) {
            return new Cumulative(Reading.missing(Reading.Status.INVALID, invalid), true);
        }
        double bad = slo.countsGood() ? t.value() - count : count;
        Reading counts = Reading.counts(bad, t.value());
        return new Cumulative(unseen == null ? counts : counts.withUnseenMetric(unseen), true);
    }

    /**
     * The first metric of the events query with no series for the side since the bake began, or null. A metric once
     * seen is not asked about again.
     */
    private String unseenMetric(Side side, String window, Answers answers) {
        for (String metric : side.slo().eventMetrics()) {
            String key = metric + "{" + side.selector() + "}";
            if (seen(key)) {
                continue;
            }
            ScalarOutcome series = answers.get(probe(key, window));
            if (series instanceof ScalarOutcome.Value v && v.value() > 0) {
                markSeen(key);
            } else if (series instanceof ScalarOutcome.Empty) {
                return metric;
            }
        }
        return null;
    }

    /** How many series a metric has had for a selector in the window. */
    private static String probe(String metricWithSelector, String window) {
        return "count(last_over_time(" + metricWithSelector + "[" + window + "]))";
    }

    private boolean seen(String key) {
        synchronized (seenMetrics) {
            return seenMetrics.contains(key);
        }
    }

    private void markSeen(String key) {
        synchronized (seenMetrics) {
            seenMetrics.add(key);
        }
    }

    /**
     * The answers of one evaluation time: asked in one request when there are several (see
     * {@link PrometheusClient#scalars}), else, or when the store refused the combined request, one by one as they are
     * needed.
     *
     * @param queries the tag of each query
     */
    private Answers answers(Map<String, String> queries, Instant at) {
        Answers answers = new Answers(at);
        if (!combine || queries.size() < 2) {
            return answers;
        }
        Map<String, String> byTag = new LinkedHashMap<>();
        queries.forEach((query, tag) -> byTag.put(tag, query));
        TaggedScalars tagged = client.scalars(byTag, at);
        if (tagged.settled()) {
            byTag.forEach((tag, query) -> answers.combined.put(query, tagged.outcome(tag)));
        } else if (tagged.status() == TaggedScalars.Status.UNSUPPORTED) {
            combine = false; // the same queries would be refused again: ask them one by one from now on
        }
        return answers;
    }

    private final class Answers {
        private final Instant at;
        /** Every query's outcome from the combined request, failures included: it was asked once. */
        private final Map<String, ScalarOutcome> combined = new HashMap<>();
        /** Queries asked one by one; a failure is asked again, as a failure says nothing about the data. */
        private final Map<String, ScalarOutcome> asked = new HashMap<>();

        Answers(Instant at) {
            this.at = at;
        }

        /** The outcome of a query of the combined request, or null. */
        ScalarOutcome known(String query) {
            return combined.get(query);
        }

        ScalarOutcome get(String query) {
            ScalarOutcome outcome = combined.get(query);
            if (outcome == null) {
                outcome = asked.get(query);
            }
            if (outcome == null) {
                outcome = client.scalar(query, at);
                if (!(outcome instanceof QueryFailure)) {
                    asked.put(query, outcome);
                }
            }
            return outcome;
        }
    }

    /** What this instance keeps between evaluations, copied: for tests that bound it. */
    Serializable retained() {
        ArrayList<Serializable> state = new ArrayList<>();
        synchronized (kept) {
            state.add(new HashMap<>(kept));
        }
        synchronized (seenMetrics) {
            state.add(new HashSet<>(seenMetrics));
        }
        return state;
    }

    /** How many sides' figures are kept for the next evaluation. */
    int keptFigures() {
        synchronized (kept) {
            return kept.size();
        }
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
