package io.prodgate.core.canary;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A ratio SLI over counters: bad (or good) events over all events in a window, e.g. 5xx over all requests, or requests
 * slower than a bound read from histogram buckets.
 *
 * @param name        the SLO's name, e.g. {@code availability}
 * @param eventsQuery PromQL for the events in {@code ${window}}: the bad ones, or the good ones when {@link #countsGood()}
 * @param countsGood  whether {@code eventsQuery} counts good events (bad = total - good)
 * @param totalQuery  PromQL for all events in {@code ${window}}
 * @param objective   the share of good events required, as a fraction (0.999 for 99.9 %)
 * @param tolerance   how much worse than the baseline the canary's bad ratio may be, as a fraction (0.1 = 10 % worse)
 */
public record RatioSlo(String name, String eventsQuery, boolean countsGood, String totalQuery, double objective,
                       double tolerance) implements SloSpec {
    public RatioSlo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(eventsQuery, "eventsQuery");
        Objects.requireNonNull(totalQuery, "totalQuery");
        if (!(objective > 0 && objective < 1)) {
            throw new IllegalArgumentException("objective must be in (0, 1): " + objective);
        }
        if (!(tolerance >= 0)) {
            throw new IllegalArgumentException("tolerance must be >= 0: " + tolerance);
        }
    }

    private static final Pattern SELECTED_METRIC =
            Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*\\{\\s*\\$\\{selector}");

    /** The metric names the events query selects with {@code ${selector}}, e.g. {@code http_requests_total}. */
    public List<String> eventMetrics() {
        Matcher m = SELECTED_METRIC.matcher(eventsQuery);
        List<String> names = new ArrayList<>();
        while (m.find()) {
            if (!names.contains(m.group(1))) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    /** The error budget: the largest bad-event ratio the objective allows. */
    public double budget() {
        return 1 - objective;
    }
}
