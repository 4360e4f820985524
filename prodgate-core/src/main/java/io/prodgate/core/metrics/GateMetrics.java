package io.prodgate.core.metrics;

import io.prodgate.core.verdict.Verdict;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.exporter.pushgateway.PushGateway;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The gates' own metrics, so teams can alert on them: verdicts by gate and outcome, bake durations, time to roll back,
 * and the age of the newest rollback proof ("no rollback proof for this service in 7 days").
 *
 * <p>Each instance has its own registry; a long CLI run serves it over HTTP, a short one pushes it to a Pushgateway.
 */
public final class GateMetrics {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter verdicts;
    private final Counter dryRunOutcomes;
    private final Histogram bakeSeconds;
    private final Histogram rollbackSeconds;
    private final Histogram restoreSeconds;
    private final Gauge proofTimestamp;
    private final Map<String, Instant> proofs = new ConcurrentHashMap<>();
    private final Clock clock;

    public GateMetrics(Clock clock) {
        this.clock = clock;
        verdicts = Counter.builder().name("prodgate_verdicts_total")
                .help("Verdicts of prodgate gates, by gate and outcome; mode advisory for gates that only advise.")
                .labelNames("service", "gate", "verdict", "mode").register(registry);
        dryRunOutcomes = Counter.builder().name("prodgate_dry_run_slo_outcomes_total")
                .help("What dry-run SLOs of canary gates would have decided alone, never part of the verdict.")
                .labelNames("service", "slo", "verdict").register(registry);
        bakeSeconds = Histogram.builder().name("prodgate_bake_duration_seconds")
                .help("How long canary bakes ran until their verdict (data time).").unit(Unit.SECONDS)
                .classicUpperBounds(30, 60, 120, 300, 600, 900, 1800, 2700, 3600, 7200).classicOnly()
                .labelNames("service", "verdict").register(registry);
        rollbackSeconds = Histogram.builder().name("prodgate_rollback_duration_seconds")
                .help("Time to roll back in rollback rehearsals: from the action until version and health were back.")
                .unit(Unit.SECONDS).classicUpperBounds(5, 10, 30, 60, 120, 180, 300, 600).classicOnly()
                .labelNames("service", "proven").register(registry);
        restoreSeconds = Histogram.builder().name("prodgate_restore_duration_seconds")
                .help("Time to restore after a canary failed: from the verdict until the rollback was verified.")
                .unit(Unit.SECONDS).classicUpperBounds(5, 10, 30, 60, 120, 180, 300, 600).classicOnly()
                .labelNames("service", "restored").register(registry);
        proofTimestamp = Gauge.builder().name("prodgate_rollback_proof_timestamp_seconds")
                .help("When the newest proven rollback of the service finished (Unix time).").unit(Unit.SECONDS)
                .labelNames("service").register(registry);
        GaugeWithCallback.builder().name("prodgate_rollback_proof_age_seconds")
                .help("Age of the newest proven rollback of the service.").unit(Unit.SECONDS)
                .labelNames("service")
                .callback(cb -> proofs.forEach((service, at) ->
                        cb.call(Math.max(0, Duration.between(at, this.clock.instant()).toMillis() / 1000.0), service)))
                .register(registry);
    }

    public static GateMetrics create() {
        return new GateMetrics(Clock.systemUTC());
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    /** A gate's verdict; {@code gate} is {@code smoke}, {@code canary} or {@code rollback}. */
    public void verdict(String service, String gate, Verdict verdict) {
        verdict(service, gate, verdict, false);
    }

    /** A gate's verdict; an advisory one ({@code mode="advisory"}) did not block. */
    public void verdict(String service, String gate, Verdict verdict, boolean advisory) {
        verdicts.labelValues(service, gate, verdict.name(), advisory ? "advisory" : "blocking").inc();
    }

    /** What a dry-run SLO would have decided alone. */
    public void dryRun(String service, String slo, Verdict verdict) {
        dryRunOutcomes.labelValues(service, slo, verdict.name()).inc();
    }

    /** A finished bake, from its start to its decision. */
    public void bake(String service, Verdict verdict, Duration duration) {
        bakeSeconds.labelValues(service, verdict.name()).observe(duration.toMillis() / 1000.0);
    }

    /** A rollback rehearsal: how long it took, and whether it was proven (then it is the newest proof). */
    public void rollback(String service, boolean proven, Duration timeToRollBack, Instant finishedAt) {
        rollbackSeconds.labelValues(service, Boolean.toString(proven)).observe(timeToRollBack.toMillis() / 1000.0);
        if (proven) {
            proof(service, finishedAt);
        }
    }

    /** An automatic rollback after a canary's verdict: how long until it was verified (or given up). */
    public void restore(String service, boolean restored, Duration timeToRestore) {
        restoreSeconds.labelValues(service, Boolean.toString(restored)).observe(timeToRestore.toMillis() / 1000.0);
    }

    /** The newest valid proof of a service, e.g. read by the canary gate. */
    public void proof(String service, Instant finishedAt) {
        proofs.merge(service, finishedAt, (a, b) -> a.isAfter(b) ? a : b);
        proofTimestamp.labelValues(service).set(proofs.get(service).toEpochMilli() / 1000.0);
    }

    /** Serves {@code /metrics} on {@code port} (0 for any free port) until closed. */
    public HTTPServer serve(String host, int port) throws IOException {
        return HTTPServer.builder().hostname(host).port(port).registry(registry).buildAndStart();
    }

    /**
     * Pushes the metrics to a Pushgateway under {@code job} (replacing the group), e.g. at the end of a CI job.
     *
     * @param url e.g. {@code http://pushgateway:9091}
     */
    public void push(String url, String job) throws IOException {
        URI uri = URI.create(url);
        if (uri.getHost() == null || uri.getScheme() == null) {
            throw new IOException("not a Pushgateway URL: " + url);
        }
        PushGateway.builder().address(uri.getHost() + ":" + (uri.getPort() < 0 ? 9091 : uri.getPort()))
                .scheme(uri.getScheme().equals("https") ? io.prometheus.metrics.exporter.pushgateway.Scheme.HTTPS
                        : io.prometheus.metrics.exporter.pushgateway.Scheme.HTTP)
                .job(job).registry(registry).build().push();
    }
}
