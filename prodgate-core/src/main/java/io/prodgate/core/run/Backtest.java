package io.prodgate.core.run;

import io.prodgate.core.canary.BacktestSummary;
import io.prodgate.core.canary.BakeState;
import io.prodgate.core.canary.CanaryPlan;
import io.prodgate.core.canary.CanarySpec;
import io.prodgate.core.canary.EvidenceSource;
import io.prodgate.core.config.GateFileException;
import io.prodgate.core.gatefile.GateFile;
import io.prodgate.core.prometheus.Sleeper;
import io.prodgate.core.report.BacktestHtml;
import io.prodgate.core.report.BacktestReport;
import io.prodgate.core.report.JUnitXml;
import io.prodgate.core.report.Reports;
import io.prodgate.core.verdict.ProofRequirement;
import io.prodgate.core.verdict.Reason;
import io.prodgate.core.verdict.ReasonType;
import io.prodgate.core.verdict.Verdict;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * One gate file replayed over many past deploy windows: what it would have decided for each, and the summary a team
 * can act on before it lets the gate block a release ({@link BacktestSummary}).
 *
 * <p>Each window is a replay as {@code prodgate canary --from --to} makes it, with the window's own selectors where
 * it has them, so a backtest and single replays of the same windows cannot disagree. Windows replay in parallel on a
 * bounded number of threads; one that breaks is reported with its error and never stops the others. A rollback proof
 * is not part of a backtest: past deploys had their own, which are not on hand, and the question is what the SLOs
 * would have decided.
 */
public final class Backtest {
    /** The JUnit suite of a backtest, one case per window. */
    public static final String JUNIT_SUITE = "prodgate backtest";

    private final GateFile gate;
    private final CanaryOverrides defaults;
    /** A source per window, so that a source with per-bake state is never shared between threads. */
    private final Supplier<? extends EvidenceSource> sources;
    private final RunContext context;

    /**
     * @param defaults the caller's selectors for windows that name none (the gate file's when empty); no replay
     * @param sources  where each window's evidence comes from: one source per window, used by one thread
     * @throws GateFileException when the gate file has no usable canary section
     * @throws RunInputException when the default selectors cannot be used
     */
    public Backtest(GateFile gate, CanaryOverrides defaults, Supplier<? extends EvidenceSource> sources,
                    RunContext context)
            throws GateFileException, RunInputException {
        this.gate = Objects.requireNonNull(gate, "gate");
        this.defaults = Objects.requireNonNull(defaults, "defaults");
        this.sources = Objects.requireNonNull(sources, "sources");
        this.context = Objects.requireNonNull(context, "context");
        if (defaults.replay().isPresent()) {
            throw new IllegalArgumentException("a backtest's windows are its replays");
        }
        CanaryRun.of(gate, defaults); // refuses a gate file without a canary section, before any window
    }

    /** The gate as the windows bake it, the caller's selectors applied: its bake is a window's default length. */
    public CanarySpec spec() throws GateFileException, RunInputException {
        return CanaryRun.of(gate, defaults).spec();
    }

    /**
     * One past deploy to judge.
     *
     * @param origin         where it came from, for people: {@code windows.csv:3}, {@code discovered version="v3"}
     * @param to             the window's end; null for the start plus the gate's bake
     * @param label          what the deploy is known to have been; null when unknown
     * @param canarySelector this deploy's canary selector; null for the default
     * @param baselineSelector this deploy's baseline selector; null for the default
     */
    public record Window(String origin, Instant from, Instant to, BacktestSummary.Label label, String canarySelector,
                         String baselineSelector) {
        public Window {
            Objects.requireNonNull(origin, "origin");
            Objects.requireNonNull(from, "from");
        }
    }

    /**
     * What the gate would have decided over one window.
     *
     * @param index      the window's place in the backtest, from 1
     * @param to         the window's end as replayed
     * @param state      the decided bake; null when the replay broke
     * @param timeToFail from the window's start to its FAIL; null unless FAIL
     * @param plan       what the bake could decide at the window's own traffic; null when not asked for or broken
     * @param error      why the replay broke; null when it did not
     * @param report     the window's own canary report (HTML), when written
     */
    public record Result(int index, Window window, Instant to, BakeState state, Duration timeToFail,
                         CanaryPlan plan, String error, Path report) {
        public Verdict verdict() {
            return state == null ? null : state.decision().verdict();
        }

        public List<Reason> reasons() {
            return state == null ? List.of() : state.decision().reasons();
        }

        /** The reason types of the decision, each once, in the order given. */
        public List<ReasonType> reasonTypes() {
            return reasons().stream().map(Reason::type).distinct().toList();
        }

        public BacktestSummary.Entry entry() {
            return new BacktestSummary.Entry(window.label(), verdict(), timeToFail, reasonTypes());
        }

        /** A labelled window the gate got wrong: a bad deploy PASSed, or a good one FAILed. */
        public boolean misjudged() {
            return window.label() == BacktestSummary.Label.BAD && verdict() == Verdict.PASS
                    || window.label() == BacktestSummary.Label.GOOD && verdict() == Verdict.FAIL;
        }
    }

    /** Every window's result, in the windows' order, and their summary. */
    public record Outcome(List<Result> results, BacktestSummary summary) {
        public Outcome {
            results = List.copyOf(results);
            Objects.requireNonNull(summary, "summary");
        }

        public static Outcome of(List<Result> results) {
            List<Result> ordered = results.stream().sorted(Comparator.comparingInt(Result::index)).toList();
            return new Outcome(ordered, BacktestSummary.of(ordered.stream().map(Result::entry).toList()));
        }
    }

    /** Where a backtest shows itself as windows finish: a terminal's progress bar, a CI log. */
    @FunctionalInterface
    public interface Listener {
        Listener SILENT = (r, done, total) -> { };

        /** A window is done ({@code done} of {@code total}); called from one thread at a time. */
        void finished(Result result, int done, int total);
    }

    /**
     * Replays every window, {@code threads} at a time.
     *
     * @param plans       whether to work out each window's plan (simulated bakes at its own traffic: CPU time)
     * @param reportsNear the backtest's HTML report, beside which each window's own canary report is written; null
     *                    for none
     */
    public Outcome run(List<Window> windows, int threads, boolean plans, Path reportsNear, Listener listener)
            throws InterruptedException {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        AtomicInteger done = new AtomicInteger();
        List<Result> results = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(threads, Math.max(1, windows.size())), r -> {
            Thread t = new Thread(r, "prodgate-backtest");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Result>> futures = new ArrayList<>();
            for (int i = 0; i < windows.size(); i++) {
                int index = i + 1;
                Window w = windows.get(i);
                futures.add(pool.submit(() -> {
                    Result r = replay(index, w, plans, reportsNear == null ? null
                            : windowReport(reportsNear, index));
                    synchronized (listener) {
                        listener.finished(r, done.incrementAndGet(), windows.size());
                    }
                    return r;
                }));
            }
            for (Future<Result> f : futures) {
                try {
                    results.add(f.get());
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new IllegalStateException("a window's replay escaped its own handling", e.getCause());
                }
            }
        } finally {
            pool.shutdownNow();
        }
        return Outcome.of(results);
    }

    /** The file name of window {@code index}'s canary report beside the backtest's own {@code html}. */
    public static Path windowReport(Path html, int index) {
        Path fileName = html.getFileName();
        String name = fileName == null ? "backtest" : fileName.toString();
        String stem = name.endsWith(".html") ? name.substring(0, name.length() - 5) : name;
        return html.resolveSibling(String.format(java.util.Locale.ROOT, "%s-window-%03d.html", stem, index));
    }

    /** One window, whatever happens: a replay that breaks is a result with its error. */
    Result replay(int index, Window w, boolean plans, Path report) {
        Instant to = w.to();
        try {
            CanaryOverrides selectors = defaults.withSelectors(
                    w.canarySelector() != null ? w.canarySelector() : defaults.canarySelector().orElse(null),
                    w.baselineSelector() != null ? w.baselineSelector() : defaults.baselineSelector().orElse(null));
            if (to == null) {
                to = w.from().plus(CanaryRun.of(gate, selectors).spec().bake());
            }
            CanaryRun run = CanaryRun.of(gate, selectors.withReplay(new CanaryOverrides.Window(w.from(), to)));
            RunContext quiet = RunContext.builder().clock(context.clock()).env(context.env()).build();
            EvidenceSource source = sources.get();
            CanaryRun.Bake bake = run.bake(quiet, source, ProofRequirement.none());
            BakeState done = bake.run(bake.start(), Sleeper.SYSTEM, CanaryRun.StateStore.NONE, BakeListener.SILENT);
            Duration ttf = done.decision().verdict() == Verdict.FAIL
                    ? Duration.between(done.startedAt(), done.decision().decidedAt()) : null;
            CanaryPlan plan = null;
            if (plans) {
                CanarySpec spec = run.spec().withoutRollout();
                plan = CanaryPlan.of(spec, source, to, Duration.between(w.from(), to), OptionalDouble.empty(), 1);
            }
            if (report != null) {
                bake.finish(done, ReportFiles.of(null, null, report));
            }
            return new Result(index, w, to, done, ttf, plan, null, report);
        } catch (GateFileException | RunInputException | IllegalArgumentException e) {
            return new Result(index, w, to, null, null, null, message(e), null);
        } catch (Exception e) {
            return new Result(index, w, to, null, null, null, e.getClass().getSimpleName() + ": " + message(e),
                    null);
        }
    }

    private static String message(Throwable e) {
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }

    /** The backtest's JSON, JUnit and HTML reports, each written when asked for. */
    public void writeReports(Outcome outcome, ReportFiles reports, Instant at) throws IOException {
        BacktestReport report = BacktestReport.of(gate.name(), gate.digest(), at, outcome.results().stream()
                .map(Backtest::window).toList(), outcome.summary());
        context.writeReports(reports, () -> Reports.json(report) + System.lineSeparator(),
                () -> JUnitXml.render(JUNIT_SUITE, at, report.testCases()), () -> BacktestHtml.render(report));
    }

    /** The report's view of one result. */
    static BacktestReport.WindowReport window(Result r) {
        Window w = r.window();
        return new BacktestReport.WindowReport(r.index(), w.origin(), w.from(), r.to(),
                w.label() == null ? null : w.label().written(), w.canarySelector(), w.baselineSelector(),
                r.verdict(), r.state() == null ? null : r.state().decision().decidedAt(),
                r.timeToFail() == null ? null : r.timeToFail().toMillis() / 1000.0, r.reasonTypes(),
                r.reasons().stream().map(Reason::message).toList(), r.misjudged(),
                r.plan() == null ? null : io.prodgate.core.report.PlanReport.of(r.plan()), r.error(),
                r.report() == null || r.report().getFileName() == null ? null
                        : String.valueOf(r.report().getFileName()));
    }
}
