package io.prodgate.core.smoke;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.prodgate.core.config.GateFileException;
import io.prodgate.core.config.GateRef;
import io.prodgate.core.config.SecretSet;
import io.prodgate.core.exec.CommandRun;
import io.prodgate.core.exec.CommandRunner;
import io.prodgate.core.http.HttpExchange;
import io.prodgate.core.http.HttpProbe;
import io.prodgate.core.http.HttpRequestSpec;
import io.prodgate.core.secret.Secret;
import io.prodgate.core.util.Durations;
import io.prodgate.core.util.Excerpts;
import io.prodgate.core.util.Json;
import io.prodgate.core.verdict.Reason;
import io.prodgate.core.verdict.ReasonType;
import io.prodgate.core.verdict.Verdict;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The staging smoke gate: deploy mechanics and a handful of happy paths, inside a hard time box.
 *
 * <p>Health checks run first, in parallel, and wait until the deploy is up; the other checks then run in parallel on
 * a bounded pool. Each check is bounded by its own timeout and by what is left of the time box. The section is held
 * against its budget before anything runs, and the run against it afterwards.
 */
public final class SmokeGate {
    /** The most checks that run at the same time. */
    public static final int MAX_PARALLEL = 8;
    /** Extra wait past the time box for a check to report its own cut-off before it is cancelled. */
    private static final Duration GRACE = Duration.ofSeconds(2);
    private static final ObjectMapper JSON = Json.MAPPER;
    static final String HEARTBEAT = "staging is a heartbeat, not a test suite";

    private final Clock clock;
    private final Map<String, String> env;

    /**
     * @param clock for the timestamps in the result (time limits use the monotonic clock)
     * @param env   where {@code headersFromEnv} values are read
     */
    public SmokeGate(Clock clock, Map<String, String> env) {
        this.clock = clock;
        this.env = Map.copyOf(env);
    }

    /** A gate on the system clock and the process environment. */
    public static SmokeGate system() {
        return new SmokeGate(Clock.systemUTC(), System.getenv());
    }

    /**
     * Runs {@code spec} (a gate file's section, perhaps with another target) for the gate file {@code file}.
     *
     * @throws GateFileException when a relative URL has no target or a secret's environment variable is unset
     */
    public SmokeResult run(GateRef file, SmokeSpec spec) throws GateFileException {
        List<SmokeCheck> checks = spec.checks();
        for (int i = 0; i < checks.size(); i++) {
            if (request(checks.get(i)) != null && request(checks.get(i)).isRelative() && spec.target().isEmpty()) {
                throw GateFileException.of(file.name(), "smoke.target", "is required for relative URLs such as "
                        + request(checks.get(i)).url() + " in smoke.checks[" + i + "] (or pass --target URL)");
            }
        }
        SecretSet secrets = new SecretSet(file.name(), env, file.baseDir());
        List<Map<String, Secret>> headers = new ArrayList<>();
        for (SmokeCheck c : checks) {
            headers.add(request(c) == null ? Map.of() : secrets.resolve(request(c).secretHeaders()));
        }

        Instant startedAt = clock.instant();
        long t0 = System.nanoTime();
        List<Reason> reasons = new ArrayList<>();
        List<Reason> warnings = new ArrayList<>();
        SmokeBudget budget = spec.budget();
        List<String> overBudget = budgetProblems(spec);
        List<CheckResult> results;
        if (!overBudget.isEmpty() && budget.onExceed() == SmokeBudget.OnExceed.FAIL) {
            reasons.add(overBudgetReason(overBudget));
            results = checks.stream().map(c -> notRun(c, secrets, spec,
                    "not run: the smoke section is over its budget")).toList();
        } else {
            if (!overBudget.isEmpty()) {
                warnings.add(overBudgetReason(overBudget));
            }
            try (HttpProbe probe = new HttpProbe(secrets)) {
                Run run = new Run(spec, file, secrets, headers, probe, t0 + spec.timeBox().toNanos());
                results = run.all();
            }
        }
        Instant finishedAt = clock.instant();
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        if (took.compareTo(budget.maxDuration()) > 0) {
            Reason r = overBudgetReason(List.of("the run took " + Durations.human(took) + ", longer than "
                    + "budget.maxDuration " + Durations.human(budget.maxDuration())));
            (budget.onExceed() == SmokeBudget.OnExceed.FAIL ? reasons : warnings).add(r);
        }
        for (CheckResult r : results) {
            if (!r.passed() && r.outcome() != CheckOutcome.NOT_RUN) {
                reasons.add(new Reason(ReasonType.CHECK_FAILED, r.name(), r.name() + ": " + r.message()));
            }
        }
        long notRun = results.stream().filter(r -> r.outcome() == CheckOutcome.NOT_RUN).count();
        if (notRun > 0 && reasons.stream().noneMatch(r -> r.type() == ReasonType.OVER_BUDGET)) {
            reasons.add(new Reason(ReasonType.CHECK_FAILED, "", notRun + " of " + results.size()
                    + " checks did not run because the target never became healthy"));
        }
        Verdict verdict = reasons.isEmpty() ? Verdict.PASS : Verdict.FAIL;
        if (verdict == Verdict.PASS) {
            reasons.add(Reason.of(ReasonType.HELD, "all " + results.size() + " smoke checks passed in "
                    + Durations.human(took)));
        }
        return new SmokeResult(verdict, reasons, warnings, results, startedAt, finishedAt, file.name(), file.digest(),
                spec.target().map(SecretSet::stripUserinfo).orElse(""));
    }

    /** Why the section is over its budget, or nothing. Checked before anything runs. */
    static List<String> budgetProblems(SmokeSpec spec) {
        List<String> out = new ArrayList<>();
        SmokeBudget b = spec.budget();
        if (spec.checks().size() > b.maxChecks()) {
            out.add(spec.checks().size() + " checks, more than budget.maxChecks " + b.maxChecks());
        }
        Duration worst = spec.worstCase();
        if (worst.compareTo(b.maxDuration()) > 0) {
            out.add("the checks' deadlines and timeouts add up to " + Durations.human(worst)
                    + ", more than budget.maxDuration " + Durations.human(b.maxDuration()));
        }
        return out;
    }

    private static Reason overBudgetReason(List<String> problems) {
        return new Reason(ReasonType.OVER_BUDGET, "budget", HEARTBEAT + ": " + String.join("; ", problems)
                + ". Keep a few checks of deploy mechanics and happy paths here; test the rest before the deploy"
                + " and let the canary judge real traffic.");
    }

    private static HttpRequestSpec request(SmokeCheck c) {
        if (c instanceof HealthCheck h) {
            return h.request();
        }
        return c instanceof HttpCheck h ? h.request() : null;
    }

    private CheckResult notRun(SmokeCheck c, SecretSet secrets, SmokeSpec spec, String message) {
        return new CheckResult(c.name(), c.kind(), what(c, spec, secrets), CheckOutcome.NOT_RUN, message,
                CheckEvidence.notRun(clock.instant()));
    }

    static String what(SmokeCheck c, SmokeSpec spec, SecretSet secrets) {
        HttpRequestSpec r = request(c);
        if (r != null) {
            return secrets.redact(r.method() + " " + r.resolve(spec.target()));
        }
        return secrets.redact(((CommandCheck) c).command().describe());
    }

    /** One run of the checks of one spec: the shared state of the time box. */
    private final class Run {
        private final SmokeSpec spec;
        private final GateRef file;
        private final SecretSet secrets;
        private final List<Map<String, Secret>> headers;
        private final HttpProbe probe;
        private final long boxEnd;

        Run(SmokeSpec spec, GateRef file, SecretSet secrets, List<Map<String, Secret>> headers, HttpProbe probe,
            long boxEnd) {
            this.spec = spec;
            this.file = file;
            this.secrets = secrets;
            this.headers = headers;
            this.probe = probe;
            this.boxEnd = boxEnd;
        }

        List<CheckResult> all() {
            List<SmokeCheck> checks = spec.checks();
            CheckResult[] results = new CheckResult[checks.size()];
            List<Integer> health = new ArrayList<>();
            List<Integer> rest = new ArrayList<>();
            for (int i = 0; i < checks.size(); i++) {
                (checks.get(i) instanceof HealthCheck ? health : rest).add(i);
            }
            ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(MAX_PARALLEL, checks.size())),
                    daemonThreads());
            try {
                runAll(pool, health, results);
                List<String> unhealthy = health.stream().filter(i -> !results[i].passed())
                        .map(i -> checks.get(i).name()).toList();
                if (unhealthy.isEmpty()) {
                    runAll(pool, rest, results);
                } else {
                    for (int i : rest) {
                        results[i] = notRun(checks.get(i), secrets, spec, "not run: the target did not become healthy ("
                                + String.join(", ", unhealthy) + ")");
                    }
                }
            } finally {
                pool.shutdownNow();
            }
            return List.of(results);
        }

        private void runAll(ExecutorService pool, List<Integer> indexes, CheckResult[] results) {
            List<Future<CheckResult>> futures = new ArrayList<>();
            List<Instant> starts = new ArrayList<>();
            for (int i : indexes) {
                starts.add(clock.instant());
                futures.add(pool.submit(() -> check(spec.checks().get(i), headers.get(i))));
            }
            for (int k = 0; k < indexes.size(); k++) {
                int i = indexes.get(k);
                SmokeCheck c = spec.checks().get(i);
                Future<CheckResult> f = futures.get(k);
                long wait = boxEnd + GRACE.toNanos() - System.nanoTime();
                try {
                    results[i] = f.get(Math.max(0, wait), TimeUnit.NANOSECONDS);
                } catch (TimeoutException e) {
                    f.cancel(true);
                    results[i] = cutOff(c, starts.get(k));
                } catch (ExecutionException e) {
                    results[i] = new CheckResult(c.name(), c.kind(), what(c, spec, secrets), CheckOutcome.FAILED,
                            "the check itself failed: " + secrets.redact(String.valueOf(e.getCause())),
                            CheckEvidence.notRun(clock.instant()));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    f.cancel(true);
                    results[i] = cutOff(c, starts.get(k));
                }
            }
        }

        private CheckResult cutOff(SmokeCheck c, Instant start) {
            Instant end = clock.instant();
            return new CheckResult(c.name(), c.kind(), what(c, spec, secrets), CheckOutcome.TIMED_OUT,
                    "cut off at the time box (" + Durations.human(spec.timeBox()) + ")",
                    new CheckEvidence(null, null, "", null, 0, start, end, Duration.between(start, end)));
        }

        private CheckResult check(SmokeCheck c, Map<String, Secret> secretHeaders) {
            if (c instanceof HealthCheck h) {
                return health(h, secretHeaders);
            }
            return c instanceof HttpCheck h ? http(h, secretHeaders) : command((CommandCheck) c);
        }

        private CheckResult health(HealthCheck h, Map<String, Secret> secretHeaders) {
            Instant startedAt = clock.instant();
            long start = System.nanoTime();
            long own = start + h.deadline().toNanos();
            long end = Math.min(own, boxEnd);
            String url = h.request().resolve(spec.target());
            int attempts = 0;
            HttpExchange last = null;
            while (true) {
                attempts++;
                Duration left = Duration.ofNanos(Math.max(0, end - System.nanoTime()));
                last = probe.call(h.request(), url, secretHeaders, min(h.request().timeout(), left));
                if (last.answered() && last.status() == h.expectStatus()) {
                    return result(h, CheckOutcome.PASSED, "healthy (HTTP " + last.status() + ") after "
                            + plural(attempts, "attempt") + " in " + Durations.human(since(start)), last, null,
                            attempts, startedAt, start);
                }
                long pause = Math.min(h.interval().toNanos(), end - System.nanoTime());
                if (pause <= 0 || Thread.currentThread().isInterrupted()) {
                    break;
                }
                try {
                    TimeUnit.NANOSECONDS.sleep(pause);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            String limit = own <= boxEnd ? "within its deadline " + Durations.human(h.deadline())
                    : "before the time box (" + Durations.human(spec.timeBox()) + ") ran out";
            return result(h, CheckOutcome.TIMED_OUT, "not healthy " + limit + ": last " + last.describe()
                    + ", expected HTTP " + h.expectStatus() + " (" + plural(attempts, "attempt") + ")", last, null,
                    attempts, startedAt, start);
        }

        private CheckResult http(HttpCheck h, Map<String, Secret> secretHeaders) {
            Instant startedAt = clock.instant();
            long start = System.nanoTime();
            Duration left = Duration.ofNanos(Math.max(0, boxEnd - start));
            boolean boxed = left.compareTo(h.request().timeout()) < 0;
            HttpExchange ex = probe.call(h.request(), h.request().resolve(spec.target()), secretHeaders,
                    min(h.request().timeout(), left));
            if (!ex.answered()) {
                String msg = ex.timedOut() && boxed ? "cut off at the time box (" + Durations.human(spec.timeBox())
                        + ")" : ex.error();
                return result(h, ex.timedOut() ? CheckOutcome.TIMED_OUT : CheckOutcome.FAILED, msg, ex, null, 1,
                        startedAt, start);
            }
            List<String> wrong = new ArrayList<>();
            if (ex.status() != h.expectStatus()) {
                wrong.add("HTTP " + ex.status() + ", expected " + h.expectStatus());
            }
            h.bodyContains().filter(s -> !ex.body().contains(s))
                    .ifPresent(s -> wrong.add("body does not contain '" + secrets.redact(s) + "'"));
            h.jsonField().ifPresent(j -> jsonProblem(ex.body(), j).ifPresent(wrong::add));
            h.maxLatency().filter(max -> ex.latency().compareTo(max) > 0).ifPresent(max -> wrong.add("took "
                    + millis(ex.latency()) + ", more than maxLatency " + millis(max)));
            if (wrong.isEmpty()) {
                return result(h, CheckOutcome.PASSED, "HTTP " + ex.status() + " in " + millis(ex.latency()), ex,
                        null, 1, startedAt, start);
            }
            return result(h, CheckOutcome.FAILED, String.join("; ", wrong), ex, null, 1, startedAt, start);
        }

        private CheckResult command(CommandCheck c) {
            Instant startedAt = clock.instant();
            long start = System.nanoTime();
            Duration left = Duration.ofNanos(Math.max(0, boxEnd - start));
            boolean boxed = left.compareTo(c.command().timeout()) < 0;
            Duration timeout = min(c.command().timeout(), left);
            CommandRun run = CommandRunner.run(c.command(), file.baseDir(), timeout, secrets);
            if (!run.started()) {
                return commandResult(c, CheckOutcome.FAILED, run.error(), run, startedAt, start);
            }
            if (run.timedOut()) {
                String msg = boxed ? "cut off at the time box (" + Durations.human(spec.timeBox())
                        + "), killed " + run.killedWith()
                        : "killed after " + Durations.human(timeout) + " (" + run.killedWith() + ")";
                return commandResult(c, CheckOutcome.TIMED_OUT, msg, run, startedAt, start);
            }
            List<String> wrong = new ArrayList<>();
            if (run.exitCode() != c.expectExit()) {
                String tail = Excerpts.inline(lastLine(run.output()));
                wrong.add("exit " + run.exitCode() + ", expected " + c.expectExit()
                        + (tail.isEmpty() ? "" : " (last output: " + tail + ")"));
            }
            c.outputContains().filter(s -> !run.output().contains(s))
                    .ifPresent(s -> wrong.add("output does not contain '" + secrets.redact(s) + "'"));
            if (wrong.isEmpty()) {
                return commandResult(c, CheckOutcome.PASSED, "exit " + run.exitCode() + " in "
                        + millis(run.duration()) + run.leftRunning(), run, startedAt, start);
            }
            return commandResult(c, CheckOutcome.FAILED, String.join("; ", wrong) + run.leftRunning(), run, startedAt,
                    start);
        }

        private CheckResult result(SmokeCheck c, CheckOutcome outcome, String message, HttpExchange ex,
                                   Integer exit, int attempts, Instant startedAt, long startNanos) {
            Instant end = clock.instant();
            CheckEvidence ev = new CheckEvidence(ex == null ? null : ex.status(),
                    ex == null || !ex.answered() ? null : ex.latency(), ex == null ? "" : Excerpts.head(ex.body()),
                    exit, attempts, startedAt, end, since(startNanos));
            return new CheckResult(c.name(), c.kind(), what(c, spec, secrets), outcome, secrets.redact(message), ev);
        }

        private CheckResult commandResult(CommandCheck c, CheckOutcome outcome, String message, CommandRun run,
                                          Instant startedAt, long startNanos) {
            Instant end = clock.instant();
            CheckEvidence ev = new CheckEvidence(null, null, Excerpts.tail(run.output()), run.exitCode(), 1,
                    startedAt, end, since(startNanos));
            return new CheckResult(c.name(), c.kind(), what(c, spec, secrets), outcome, secrets.redact(message), ev);
        }
    }

    /** What is wrong with {@code body}'s field, or nothing when it holds the expected value. */
    static java.util.Optional<String> jsonProblem(String body, JsonFieldExpect expect) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException e) {
            return java.util.Optional.of("body is not JSON, so " + expect.pointer() + " cannot be read");
        }
        if (root == null) {
            return java.util.Optional.of("body is empty, so " + expect.pointer() + " cannot be read");
        }
        JsonNode v = root.at(expect.pointer());
        if (v.isMissingNode()) {
            return java.util.Optional.of("JSON field " + expect.pointer() + " is missing");
        }
        String actual = v.isValueNode() ? v.asText() : v.toString();
        if (actual.equals(expect.equals())) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of("JSON field " + expect.pointer() + " is '" + Excerpts.inline(actual)
                + "', expected '" + expect.equals() + "'");
    }

    private static String lastLine(String output) {
        String t = output.strip();
        int nl = t.lastIndexOf('\n');
        return nl < 0 ? t : t.substring(nl + 1);
    }

    private static ThreadFactory daemonThreads() {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "prodgate-smoke-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static Duration since(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    static String millis(Duration d) {
        return d.toMillis() < 10_000 ? d.toMillis() + "ms" : Durations.human(d);
    }

    private static String plural(int n, String one) {
        return n + " " + one + (n == 1 ? "" : "s");
    }
}
