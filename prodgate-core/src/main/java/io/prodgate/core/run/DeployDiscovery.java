package io.prodgate.core.run;

import io.prodgate.core.canary.CanarySpec;
import io.prodgate.core.canary.RatioSlo;
import io.prodgate.core.prometheus.PrometheusClient;
import io.prodgate.core.prometheus.QueryFailure;
import io.prodgate.core.prometheus.QueryOutcome;
import io.prodgate.core.prometheus.Sample;
import io.prodgate.core.prometheus.Series;
import io.prodgate.core.util.Durations;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Finds past deploys in Prometheus: the times at which a canary selector's series first appear in a look-back range,
 * one deploy per distinct value of the labels that tell deploys apart (e.g. {@code version}).
 *
 * <p>How: one instant query at the range's end, {@code min_over_time(min by (LABELS) (timestamp(METRIC{CANARY}))
 * [RANGE:STEP])}, gives per label set the timestamp of the newest sample at the first step it was seen; where that
 * step is coarser than the resolution asked for (a long range is read at most {@value #MOST_STEPS} steps at a time),
 * one more query per deploy reads the step before it at the resolution. With a resolution no coarser than the scrape
 * interval, the answer is the first sample's own timestamp.
 *
 * <p>Limits: only what Prometheus still holds (its retention); a label set seen before the range began is left out (it
 * started earlier); a label set that comes back later (a version redeployed, a rollback to it) is found once, at its
 * first appearance; restarts that change other labels (pod, instance) do not count as deploys, since only the
 * {@code by} labels tell deploys apart; and a deploy less than a bake before the range's end is left out, as its window
 * is not over.
 */
public final class DeployDiscovery {
    /** The most subquery steps read in one pass over the range. */
    public static final int MOST_STEPS = 10_000;
    private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Pattern METRIC = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

    private DeployDiscovery() {
    }

    /** A deploy: the label values that name it, and when its first sample was. */
    public record Deploy(Map<String, String> labels, Instant firstSeen) {
        public Deploy {
            labels = Map.copyOf(new LinkedHashMap<>(labels));
            Objects.requireNonNull(firstSeen, "firstSeen");
        }

        /** The label matchers that select this deploy's series, e.g. {@code version="v3"}. */
        public String matchers(List<String> by) {
            List<String> out = new ArrayList<>();
            for (String l : by) {
                out.add(l + "=\"" + escape(labels.getOrDefault(l, "")) + "\"");
            }
            return String.join(",", out);
        }
    }

    /** The deploys found, oldest first, and what was left out and why. */
    public record Found(List<Deploy> deploys, List<String> notes) {
        public Found {
            deploys = List.copyOf(deploys);
            notes = List.copyOf(notes);
        }
    }

    /** Discovery could not run: a bad argument, or Prometheus gave no usable answer. */
    public static final class DiscoveryException extends Exception {
        private static final long serialVersionUID = 1L;

        public DiscoveryException(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * The metric discovery reads by default: the first one the gate's first ratio SLO's events query selects with
     * {@code ${selector}}; empty when there is none (the caller must name one).
     */
    public static java.util.Optional<String> defaultMetric(CanarySpec spec) {
        return spec.ratioSlos().stream().map(RatioSlo::eventMetrics).filter(m -> !m.isEmpty())
                .map(m -> m.get(0)).findFirst();
    }

    /**
     * @param metric     the metric whose series mark a deploy
     * @param selector   the canary's label matchers, without braces
     * @param by         the labels that tell deploys apart
     * @param until      the range's end
     * @param range      how far back from {@code until} to look
     * @param resolution the step at which the first sample is looked for: the scrape interval or less
     * @param bake       a deploy's window; a deploy whose window is not over by {@code until} is left out
     */
    public static Found discover(PrometheusClient client, String metric, String selector, List<String> by,
                                 Instant until, Duration range, Duration resolution, Duration bake)
            throws DiscoveryException {
        if (!METRIC.matcher(metric).matches()) {
            throw new DiscoveryException("'" + metric + "' is not a metric name");
        }
        if (by.isEmpty()) {
            throw new DiscoveryException("name at least one label that tells deploys apart, e.g. version");
        }
        for (String l : by) {
            if (!LABEL.matcher(l).matches() || l.startsWith("__")) {
                throw new DiscoveryException("'" + l + "' is not a label name");
            }
        }
        if (resolution.toSeconds() < 1 || range.compareTo(resolution) < 0) {
            throw new DiscoveryException("the resolution must be at least 1s and no longer than the range");
        }
        long coarseSeconds = Math.max(resolution.toSeconds(),
                (range.toSeconds() + MOST_STEPS - 1) / MOST_STEPS);
        Duration coarse = Duration.ofSeconds(coarseSeconds);
        String labels = String.join(",", by);
        String series = metric + "{" + selector + "}";
        Instant start = until.minus(range);
        List<Series> found = query(client, firstSeen(series, labels, range, coarse), until);
        List<Deploy> deploys = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        for (Series s : found) {
            Map<String, String> values = new LinkedHashMap<>();
            for (String l : by) {
                values.put(l, s.labels().getOrDefault(l, ""));
            }
            String name = describe(values, by);
            if (values.values().stream().allMatch(String::isEmpty)) {
                notes.add("series without " + labels + " left out: they name no deploy");
                continue;
            }
            Instant first = first(s);
            if (first == null) {
                continue;
            }
            if (coarse.compareTo(resolution) > 0) {
                // the first coarse step that saw it: its first sample lies within one coarse step before
                Instant at = first;
                List<Series> fine = query(client, firstSeen(metric + "{" + selector + "," + new Deploy(values, at)
                        .matchers(by) + "}", labels, coarse.plus(resolution), resolution), at);
                Instant refined = fine.isEmpty() ? null : first(fine.get(0));
                if (refined != null && refined.isBefore(first)) {
                    first = refined;
                }
            }
            if (!first.isAfter(start.plus(coarse))) {
                notes.add(name + " left out: it was already there when the range began (" + start + ")");
                continue;
            }
            if (first.plus(bake).isAfter(until)) {
                notes.add(name + " left out: it began at " + first + ", less than a bake (" + Durations.human(bake)
                        + ") before " + until);
                continue;
            }
            deploys.add(new Deploy(values, first));
        }
        deploys.sort(Comparator.comparing(Deploy::firstSeen));
        return new Found(deploys, notes);
    }

    static String firstSeen(String series, String labels, Duration range, Duration step) {
        return "min_over_time(min by (" + labels + ") (timestamp(" + series + "))[" + range.toSeconds() + "s:"
                + step.toSeconds() + "s])";
    }

    private static List<Series> query(PrometheusClient client, String promql, Instant at) throws DiscoveryException {
        QueryOutcome outcome = client.instantQuery(promql, at);
        if (outcome instanceof QueryFailure failure) {
            throw new DiscoveryException("Prometheus gave no usable answer: " + failure.describe());
        }
        return ((QueryOutcome.Success) outcome).series();
    }

    /** The timestamp a series' one sample holds, to the second (as Prometheus stores it, in seconds). */
    private static Instant first(Series s) {
        return s.samples().stream().filter(Sample::isFinite).findFirst()
                .map(x -> Instant.ofEpochMilli(Math.round(x.value() * 1000))).orElse(null);
    }

    static String describe(Map<String, String> values, List<String> by) {
        return new Deploy(values, Instant.EPOCH).matchers(by);
    }

    /** A label value inside a PromQL double-quoted string. */
    static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
