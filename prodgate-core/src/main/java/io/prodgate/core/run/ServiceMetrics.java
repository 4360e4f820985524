package io.prodgate.core.run;

import io.prodgate.core.metrics.GateMetrics;
import io.prodgate.core.verdict.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/** The gate metrics a run records, under the service they belong to. */
record ServiceMetrics(GateMetrics metrics, String service) {
    ServiceMetrics {
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(service, "service");
    }

    void verdict(String gate, Verdict verdict) {
        metrics.verdict(service, gate, verdict);
    }

    void verdict(String gate, Verdict verdict, boolean advisory) {
        metrics.verdict(service, gate, verdict, advisory);
    }

    void dryRun(String slo, Verdict verdict) {
        metrics.dryRun(service, slo, verdict);
    }

    void bake(Verdict verdict, Duration duration) {
        metrics.bake(service, verdict, duration);
    }

    void proof(Instant finishedAt) {
        metrics.proof(service, finishedAt);
    }

    void restore(boolean restored, Duration timeToRestore) {
        metrics.restore(service, restored, timeToRestore);
    }

    void rollback(boolean proven, Duration timeToRollBack, Instant finishedAt) {
        metrics.rollback(service, proven, timeToRollBack, finishedAt);
    }
}
