package io.prodgate.core.canary;

import io.prodgate.core.config.Durations;
import io.prodgate.core.prometheus.PrometheusClient;
import io.prodgate.core.prometheus.QueryFailure;
import io.prodgate.core.prometheus.ScalarOutcome;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads canary and baseline evidence from a Prometheus-compatible API, one instant query per figure at the end of the
 * window, with {@code ${window}} set to the window's length.
 */
public final class PrometheusEvidence implements EvidenceSource {
    private final PrometheusClient client;

    public PrometheusEvidence(PrometheusClient client) {
        this.client = client;
    }

    @Override
    public List<SloEvidence> collect(CanarySpec spec, Instant from, Instant at) {
        String window = Durations.promql(Duration.between(from, at));
        List<SloEvidence> out = new ArrayList<>();
        for (SloSpec slo : spec.slos()) {
            if (slo instanceof RatioSlo ratio) {
                out.add(new SloEvidence(slo.name(), ratio(ratio, spec.canarySelector(), window, at),
                        ratio(ratio, spec.baselineSelector(), window, at)));
            } else {
                ValueCheck check = (ValueCheck) slo;
                out.add(new SloEvidence(slo.name(), value(SloSpec.render(check.query(), spec.canarySelector(), window), at),
                        null));
            }
        }
        return out;
    }

    private Reading ratio(RatioSlo slo, String selector, String window, Instant at) {
        ScalarOutcome total = client.scalar(SloSpec.render(slo.totalQuery(), selector, window), at);
        if (!(total instanceof ScalarOutcome.Value t)) {
            return missing(total);
        }
        ScalarOutcome events = client.scalar(SloSpec.render(slo.eventsQuery(), selector, window), at);
        double count;
        if (events instanceof ScalarOutcome.Value v) {
            count = v.value();
        } else if (events instanceof ScalarOutcome.Empty) {
            count = 0; // no series for the events yet (no 5xx ever served) means none happened
        } else {
            return missing(events);
        }
        double bad = slo.countsGood() ? t.value() - count : count;
        return Reading.counts(bad, t.value());
    }

    private Reading value(String query, Instant at) {
        ScalarOutcome outcome = client.scalar(query, at);
        return outcome instanceof ScalarOutcome.Value v ? Reading.value(v.value()) : missing(outcome);
    }

    private static Reading missing(ScalarOutcome outcome) {
        Reading.Status status;
        if (outcome instanceof QueryFailure) {
            status = Reading.Status.SOURCE_ERROR;
        } else if (outcome instanceof ScalarOutcome.TooManySeries || outcome instanceof ScalarOutcome.UnexpectedShape) {
            status = Reading.Status.INVALID;
        } else {
            status = Reading.Status.NO_DATA; // no series, or NaN / Inf: nothing usable was reported
        }
        return Reading.missing(status, outcome.describe());
    }
}
