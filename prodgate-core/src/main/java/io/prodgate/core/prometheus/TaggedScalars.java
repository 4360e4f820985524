package io.prodgate.core.prometheus;

import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The answer to {@link PrometheusClient#scalars}: several one-number queries asked in one request, each answered
 * with the {@link ScalarOutcome} it would have had if asked alone.
 *
 * @param status   whether the request answered every query, failed for all of them, or was refused as combined
 * @param combined the outcome of the one request, with the combined PromQL that was sent
 * @param outcomes per tag, the query's own outcome; empty unless {@link Status#ANSWERED} or {@link Status#FAILED}
 */
public record TaggedScalars(Status status, QueryOutcome combined, Map<String, ScalarOutcome> outcomes) {
    public enum Status {
        /** Prometheus answered; every tag has the outcome its query would have had alone. */
        ANSWERED,
        /**
         * The request failed in a way every one of its queries would have (unreachable, 5xx after the retries, an
         * authentication error, a malformed answer); each tag has that failure, told about its own query.
         */
        FAILED,
        /**
         * The combined request was turned down, or answered too big, for what may be one of its queries (an execution
         * error, an answer past the size limit): ask the queries one by one to know which, and what each gives.
         */
        REFUSED,
        /**
         * The combined form itself is not accepted and will not be next time either (a query that cannot be wrapped,
         * e.g. one giving a scalar or a range vector, a store that does not keep the tag, a request too large for a
         * proxy): ask the queries one by one, now and later.
         */
        UNSUPPORTED
    }

    public TaggedScalars {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(combined, "combined");
        outcomes = Map.copyOf(outcomes);
        if ((status == Status.ANSWERED || status == Status.FAILED) == outcomes.isEmpty()) {
            throw new IllegalArgumentException(status + " with " + outcomes.size() + " outcomes");
        }
    }

    /** Whether each tag has its outcome, so that nothing needs to be asked again now. */
    public boolean settled() {
        return status == Status.ANSWERED || status == Status.FAILED;
    }

    public Set<String> tags() {
        return outcomes.keySet();
    }

    /**
     * The outcome of the query sent under {@code tag}.
     *
     * @throws IllegalStateException    when the request was refused (see {@link #settled()})
     * @throws IllegalArgumentException for a tag that was not sent
     */
    public ScalarOutcome outcome(String tag) {
        if (!settled()) {
            throw new IllegalStateException("the combined query was " + status.name().toLowerCase(java.util.Locale.ROOT)
                    + "; ask each query alone");
        }
        ScalarOutcome outcome = outcomes.get(tag);
        if (outcome == null) {
            throw new IllegalArgumentException("no query was sent under tag " + tag);
        }
        return outcome;
    }
}
