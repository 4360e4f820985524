package io.prodgate.core.rollback;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.prodgate.core.action.Action;
import io.prodgate.core.action.ActionRecord;
import io.prodgate.core.action.ActionRunner;
import io.prodgate.core.config.GateFileException;
import io.prodgate.core.config.GateRef;
import io.prodgate.core.config.PrometheusSettings;
import io.prodgate.core.config.SecretSet;
import io.prodgate.core.http.HttpExchange;
import io.prodgate.core.http.HttpProbe;
import io.prodgate.core.http.HttpRequestSpec;
import io.prodgate.core.prometheus.PrometheusClient;
import io.prodgate.core.prometheus.QueryFailure;
import io.prodgate.core.prometheus.QueryOutcome;
import io.prodgate.core.prometheus.ScalarOutcome;
import io.prodgate.core.prometheus.Series;
import io.prodgate.core.secret.Secret;
import io.prodgate.core.util.Durations;
import io.prodgate.core.util.Excerpts;
import io.prodgate.core.util.Json;
import io.prodgate.core.verdict.Reason;
import io.prodgate.core.verdict.ReasonType;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * Proves the rollback path: runs the rollback action, then polls version and health until the target reports the
 * previous version and is healthy, or the deadline passes. Then, when configured, rolls forward and verifies that
 * the same way. The result is a {@link RollbackProof}, written whether or not it proves anything, so that a broken
 * rollback path invalidates an older proof.
 */
public final class RollbackGate {
    /** Polls kept in a proof per phase: the most recent ones, which show how it ended. */
    public static final int MAX_POLLS = 60;
    private static final ObjectMapper JSON = Json.MAPPER;

    private final Clock clock;
    private final Map<String, String> env;

    /**
     * @param clock for the timestamps in the proof (deadlines use the monotonic clock)
     * @param env   where {@code headersFromEnv} values and Prometheus credentials are read
     */
    public RollbackGate(Clock clock, Map<String, String> env) {
        this.clock = clock;
        this.env = Map.copyOf(env);
    }

    /** A gate on the system clock and the process environment. */
    public static RollbackGate system() {
        return new RollbackGate(Clock.systemUTC(), System.getenv());
    }

    /**
     * Proves {@code spec} (a gate file's section, perhaps with another target); {@code prometheus} is the file's
     * connection, needed only for PromQL version sources and SLO queries.
     *
     * @throws GateFileException when a relative URL has no target, a secret is unset, or PromQL is used without a
     *                           prometheus section
     */
    public RollbackProof run(GateRef file, Optional<PrometheusSettings> prometheusSettings, RollbackSpec spec)
            throws GateFileException {
        checkTarget(file, spec);
        SecretSet secrets = new SecretSet(file.name(), env, file.baseDir());
        Resolved resolved = new Resolved(secrets, spec);
        PrometheusClient prometheus = null;
        if (spec.needsPrometheus()) {
            prometheus = prometheusSettings.orElseThrow(() -> GateFileException.of(file.name(), "prometheus",
                    "is required: rollback.version.promql and rollback.sloQueries read from it"))
                    .openClient(file.name(), env, file.baseDir());
        }
        Instant startedAt = clock.instant();
        try (HttpProbe probe = new HttpProbe(secrets)) {
            Run run = new Run(file, spec, secrets, resolved, probe, prometheus);
            PhaseProof back = run.phase("rollback", spec.action(), spec.expectVersion(), spec.deadline());
            PhaseProof forward = null;
            if (back.verified() && spec.rollForward().isPresent()) {
                RollForwardSpec f = spec.rollForward().get();
                forward = run.phase("roll-forward", f.action(), f.expectVersion(), f.deadline());
            }
            boolean proven = back.verified() && (forward == null || forward.verified());
            List<Reason> reasons = new ArrayList<>(back.reasons());
            if (forward != null) {
                reasons.addAll(forward.reasons());
            }
            if (proven) {
                reasons.add(Reason.of(ReasonType.HELD, "rolled back to " + spec.expectVersion() + " in "
                        + Durations.human(back.timeToVerified()) + (forward == null ? "" : ", rolled forward to "
                        + forward.expectVersion() + " in " + Durations.human(forward.timeToVerified()))));
            }
            return new RollbackProof(RollbackProof.FORMAT, file.name(), file.digest(), target(spec, secrets), proven,
                    back.timeToVerified(), reasons, startedAt, clock.instant(), back, forward);
        } finally {
            if (prometheus != null) {
                prometheus.close();
            }
        }
    }

    private static void checkTarget(GateRef file, RollbackSpec spec) throws GateFileException {
        if (spec.target().isPresent()) {
            return;
        }
        for (HttpRequestSpec r : spec.requests()) {
            if (r.isRelative()) {
                throw GateFileException.of(file.name(), "rollback.target", "is required for relative URLs such as "
                        + r.url() + " (or pass --target URL)");
            }
        }
    }

    private static String target(RollbackSpec spec, SecretSet secrets) {
        if (spec.target().isPresent()) {
            return secrets.redact(spec.target().get());
        }
        if (spec.version() instanceof VersionSource.Http h) {
            return secrets.redact(h.request().url());
        }
        VersionSource.Promql p = (VersionSource.Promql) spec.version();
        return p.selector().isEmpty() ? p.rendered() : p.selector();
    }

    /** Secret headers of every request in the section, resolved once before anything runs. */
    private static final class Resolved {
        private final Map<HttpRequestSpec, Map<String, Secret>> headers = new java.util.IdentityHashMap<>();

        Resolved(SecretSet secrets, RollbackSpec spec) throws GateFileException {
            for (HttpRequestSpec r : spec.requests()) {
                headers.put(r, secrets.resolve(r.secretHeaders()));
            }
        }

        Map<String, Secret> of(HttpRequestSpec r) {
            return headers.getOrDefault(r, Map.of());
        }

        Map<String, Secret> of(Action a) {
            return a instanceof Action.Http h ? of(h.request()) : Map.of();
        }
    }

    private final class Run {
        private final RollbackSpec spec;
        private final SecretSet secrets;
        private final Resolved resolved;
        private final HttpProbe probe;
        private final PrometheusClient prometheus;
        private final ActionRunner actions;

        Run(GateRef file, RollbackSpec spec, SecretSet secrets, Resolved resolved, HttpProbe probe,
            PrometheusClient prometheus) {
            this.spec = spec;
            this.secrets = secrets;
            this.resolved = resolved;
            this.probe = probe;
            this.prometheus = prometheus;
            this.actions = new ActionRunner(clock, file.baseDir(), secrets, probe, spec.target());
        }

        PhaseProof phase(String phase, Action action, String expect, Duration deadline) {
            Instant startedAt = clock.instant();
            String before = readVersion(Long.MAX_VALUE).version();
            long actionStart = System.nanoTime();
            ActionRecord ar = actions.run(action, resolved.of(action));
            List<Reason> reasons = new ArrayList<>();
            if (!ar.succeeded()) {
                reasons.add(new Reason(ReasonType.CHECK_FAILED, phase, phase + " action failed: " + ar.message()));
                return new PhaseProof(phase, ar, expect, before, null, false, null, deadline, startedAt, null,
                        clock.instant(), 0, List.of(), List.of(), reasons);
            }
            long end = System.nanoTime() + deadline.toNanos();
            Deque<PollEvidence> polls = new ArrayDeque<>();
            int count = 0;
            PollEvidence last;
            while (true) {
                last = poll(++count, expect, end);
                polls.addLast(last);
                if (polls.size() > MAX_POLLS) {
                    polls.removeFirst();
                }
                if (last.versionOk() && last.healthOk()) {
                    break;
                }
                long pause = Math.min(spec.pollInterval().toNanos(), end - System.nanoTime());
                if (pause <= 0 || !sleep(pause)) {
                    break;
                }
            }
            if (!(last.versionOk() && last.healthOk())) {
                reasons.add(new Reason(ReasonType.CHECK_FAILED, phase, notVerified(phase, expect, deadline, last,
                        count)));
                return new PhaseProof(phase, ar, expect, before, last.version(), false, null, deadline, startedAt,
                        null, clock.instant(), count, List.copyOf(polls), List.of(), reasons);
            }
            Duration took = Duration.ofNanos(System.nanoTime() - actionStart);
            Instant verifiedAt = clock.instant();
            List<SloCheck> slos = spec.sloQueries().stream().map(this::judge).toList();
            for (SloCheck s : slos) {
                if (!s.held()) {
                    reasons.add(new Reason(s.value() == null ? ReasonType.SOURCE_ERROR : ReasonType.BREACH, s.name(),
                            phase + " reached " + expect + " but SLO " + s.name() + " does not hold: " + s.message()));
                }
            }
            boolean verified = reasons.isEmpty();
            return new PhaseProof(phase, ar, expect, before, last.version(), verified, took, deadline, startedAt,
                    verifiedAt, clock.instant(), count, List.copyOf(polls), slos, reasons);
        }

        private String notVerified(String phase, String expect, Duration deadline, PollEvidence last, int polls) {
            String within = "within " + Durations.human(deadline) + " after the " + phase + " action ("
                    + polls + (polls == 1 ? " poll" : " polls") + ")";
            if (!last.versionOk()) {
                String saw = last.version() != null ? "still reports version " + last.version()
                        : "version could not be read (" + last.versionError() + ")";
                return "the target " + saw + ", expected " + expect + ", " + within;
            }
            String health = last.healthStatus() != null ? "answered HTTP " + last.healthStatus()
                    : "did not answer (" + last.healthError() + ")";
            return "the target reports " + expect + " but its health check " + health + ", not back to HTTP "
                    + spec.health().map(HealthProbe::expectStatus).orElse(200) + " " + within;
        }

        private PollEvidence poll(int attempt, String expect, long end) {
            Instant at = clock.instant();
            VersionRead v = readVersion(end);
            boolean versionOk = expect.equals(v.version());
            Integer status = null;
            String healthError = null;
            boolean healthOk = true;
            if (spec.health().isPresent()) {
                HealthProbe h = spec.health().get();
                HttpExchange ex = probe.call(h.request(), h.request().resolve(spec.target()),
                        resolved.of(h.request()), bounded(h.request().timeout(), end));
                status = ex.status();
                healthError = ex.answered() ? null : ex.error();
                healthOk = ex.answered() && ex.status() == h.expectStatus();
            }
            return new PollEvidence(attempt, at, v.version(), v.error(), versionOk, status, healthError, healthOk);
        }

        /** Reads the version once; {@code end} (monotonic) bounds an HTTP read. */
        private VersionRead readVersion(long end) {
            return spec.version() instanceof VersionSource.Http h ? httpVersion(h, end)
                    : promqlVersion((VersionSource.Promql) spec.version());
        }

        private VersionRead httpVersion(VersionSource.Http h, long end) {
            HttpExchange ex = probe.call(h.request(), h.request().resolve(spec.target()), resolved.of(h.request()),
                    bounded(h.request().timeout(), end));
            if (!ex.answered()) {
                return VersionRead.error(ex.error());
            }
            if (ex.status() < 200 || ex.status() > 299) {
                return VersionRead.error("version endpoint answered HTTP " + ex.status());
            }
            if (h.jsonField().isEmpty()) {
                String v = ex.body().strip();
                return v.isEmpty() ? VersionRead.error("version endpoint answered an empty body")
                        : VersionRead.of(Excerpts.inline(v));
            }
            String pointer = h.jsonField().get();
            try {
                JsonNode root = JSON.readTree(ex.body());
                JsonNode v = root == null ? null : root.at(pointer);
                if (v == null || v.isMissingNode() || v.isNull() || v.isContainerNode()) {
                    return VersionRead.error("no version at " + pointer + " in " + Excerpts.inline(ex.body()));
                }
                return VersionRead.of(Excerpts.inline(v.asText()));
            } catch (IOException e) {
                return VersionRead.error("version endpoint did not answer JSON: " + Excerpts.inline(ex.body()));
            }
        }

        private VersionRead promqlVersion(VersionSource.Promql p) {
            QueryOutcome outcome = prometheus.instantQuery(p.rendered(), clock.instant());
            if (outcome instanceof QueryFailure f) {
                return VersionRead.error(secrets.redact(f.describe()));
            }
            List<Series> series = ((QueryOutcome.Success) outcome).series();
            TreeSet<String> versions = new TreeSet<>();
            for (Series s : series) {
                String v = s.labels().get(p.label());
                if (v != null && !v.isEmpty()) {
                    versions.add(v);
                }
            }
            if (versions.isEmpty()) {
                return VersionRead.error("no series with label " + p.label() + " from " + outcome.describe());
            }
            if (versions.size() > 1) {
                // Several versions still serve: the rollback is not complete.
                return new VersionRead(String.join(",", versions), "several versions report at once: "
                        + String.join(", ", versions));
            }
            return VersionRead.of(versions.first());
        }

        private SloCheck judge(SloQuery q) {
            Double min = q.min().isPresent() ? q.min().getAsDouble() : null;
            Double max = q.max().isPresent() ? q.max().getAsDouble() : null;
            ScalarOutcome outcome = prometheus.scalar(q.query(), clock.instant());
            if (outcome instanceof ScalarOutcome.Value v) {
                boolean held = q.holds(v.value());
                return new SloCheck(q.name(), q.query(), v.value(), min, max, held,
                        v.value() + (held ? " is " : " is not ") + q.bounds());
            }
            return new SloCheck(q.name(), q.query(), null, min, max, false, secrets.redact(outcome.describe()));
        }

        private Duration bounded(Duration timeout, long end) {
            if (end == Long.MAX_VALUE) {
                return timeout;
            }
            Duration left = Duration.ofNanos(Math.max(0, end - System.nanoTime()));
            // At least a short look, even when the deadline has just passed: the last poll must be real.
            left = left.compareTo(Duration.ofMillis(200)) < 0 ? Duration.ofMillis(200) : left;
            return timeout.compareTo(left) <= 0 ? timeout : left;
        }

        private static boolean sleep(long nanos) {
            try {
                TimeUnit.NANOSECONDS.sleep(nanos);
                return true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    /** A version read: the version, or why there is none (or, for several versions at once, both). */
    private record VersionRead(String version, String error) {
        static VersionRead of(String version) {
            return new VersionRead(version, null);
        }

        static VersionRead error(String error) {
            return new VersionRead(null, error);
        }
    }
}
