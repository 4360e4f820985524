package io.prodgate.core.canary;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.io.Serializable;
import java.util.Objects;

/**
 * What one side of one SLO showed in one evaluation window: event counts for ratio SLOs, a value for value checks, or
 * why there was nothing usable.
 *
 * @param unseenMetric a metric of the bad (or good) query that has had no series for the side since the bake began,
 *                     while its total query counted events: a misspelt metric counts as zero events, so the judge
 *                     says so; null when every metric was seen
 */
public record Reading(Status status, double bad, double total, double value, String detail,
                      @JsonInclude(JsonInclude.Include.NON_NULL) String unseenMetric) implements Serializable {
    public enum Status {
        /** Usable figures. */
        OK,
        /** The query answered with no series, or NaN: the side reported nothing in the window. */
        NO_DATA,
        /** The metrics source failed (unreachable, HTTP or Prometheus error, malformed answer). */
        SOURCE_ERROR,
        /** The answer cannot be used as it is (several series where one was expected). */
        INVALID
    }

    public Reading {
        Objects.requireNonNull(status, "status");
        detail = detail == null ? "" : detail;
    }

    /** Counts, checked by the source: never negative, bad never above total. */
    public static Reading counts(double bad, double total) {
        double t = Math.max(0, total);
        return new Reading(Status.OK, Math.max(0, Math.min(bad, t)), t, Double.NaN, "", null);
    }

    public static Reading value(double value) {
        return new Reading(Status.OK, Double.NaN, Double.NaN, value, "", null);
    }

    /** The same counts, with a metric of the bad (or good) query that has no series for the side. */
    public Reading withUnseenMetric(String metric) {
        return new Reading(status, bad, total, value, detail, metric);
    }

    public static Reading missing(Status status, String detail) {
        if (status == Status.OK) {
            throw new IllegalArgumentException("a missing reading needs a non-OK status");
        }
        return new Reading(status, Double.NaN, Double.NaN, Double.NaN, detail, null);
    }

    public boolean ok() {
        return status == Status.OK;
    }

    /** Whether the side served traffic in the window (an OK ratio reading with events). */
    public boolean hasTraffic() {
        return ok() && total > 0;
    }

    /** Bad over total, NaN without traffic. */
    public double ratio() {
        return hasTraffic() ? bad / total : Double.NaN;
    }
}
