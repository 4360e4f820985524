package io.prodgate.cli.bench;

import io.prodgate.cli.UsageException;
import io.prodgate.core.canary.BakeState;
import io.prodgate.core.canary.CanaryGate;
import io.prodgate.core.canary.EvidenceSource;
import io.prodgate.core.canary.PrometheusEvidence;
import io.prodgate.core.canary.Reading;
import io.prodgate.core.canary.SloEvidence;
import io.prodgate.core.gatefile.GateFile;
import io.prodgate.core.gatefile.GateFileLoader;
import io.prodgate.core.prometheus.PrometheusClient;
import io.prodgate.core.run.BakeListener;
import io.prodgate.core.run.CanaryOverrides;
import io.prodgate.core.run.CanaryRun;
import io.prodgate.core.run.RunContext;
import io.prodgate.core.util.Durations;
import io.prodgate.core.verdict.ProofRequirement;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The scale benchmark ({@code bin/benchmark --scale}, docs/benchmark.md): many bakes at once in one JVM, as a Jenkins
 * controller runs every pipeline's {@code canaryGate}, against one real Prometheus serving backfilled data
 * ({@link ScaleData}).
 *
 * <p>The bakes are driven as the Jenkins plugin drives them: no thread per bake; a shared scheduler wakes each one up
 * and hands it to a small bounded pool, which calls {@link CanaryRun.Bake#advance} and schedules the next wake-up. The
 * clock is compressed: each wake-up moves the bake's "now" on by one evaluation interval, so a 30-minute bake takes as
 * long as its 30 evaluations take. All bakes share one OkHttp client and one {@link PrometheusClient}; each has its own
 * gate, {@link PrometheusEvidence} and state file ({@link CanaryRun.StateStore#file}). Everything measured goes through
 * the core's public API, so the figures follow whatever the core does.
 *
 * <p>It prints figures and asserts nothing about them.
 */
@Command(name = "benchmark-scale", hidden = true, mixinStandardHelpOptions = true, sortOptions = false,
        description = "Many concurrent bakes against one Prometheus (bin/benchmark --scale; see docs/benchmark.md).")
public final class ScaleBenchmarkCommand implements Callable<Integer> {
    @Option(names = "--write-data", paramLabel = "DIR", description = "Only write the backfill (metrics.om, manifest.json) "
            + "into DIR and exit.")
    Path writeData;

    @Option(names = "--hours", defaultValue = "26", description = "With --write-data: hours of data (default: ${DEFAULT-VALUE}).")
    int hours;

    @Option(names = "--scrape", defaultValue = "30", description = "With --write-data: seconds between samples "
            + "(default: ${DEFAULT-VALUE}).")
    int scrapeSeconds;

    @Option(names = "--seed", defaultValue = "1", description = "With --write-data: the data's seed (default: ${DEFAULT-VALUE}).")
    int seed;

    @Option(names = "--data", paramLabel = "DIR", description = "The data set the Prometheus serves (its manifest.json).")
    Path data;

    @Option(names = "--prometheus", paramLabel = "URL", description = "The Prometheus serving --data.")
    String prometheusUrl;

    @Option(names = "--bakes", defaultValue = "0", description = "Concurrent bakes (0: none).")
    int bakes;

    @Option(names = "--evaluations", defaultValue = "30", description = "Evaluations per bake (default: ${DEFAULT-VALUE}).")
    int evaluations;

    @Option(names = "--long", defaultValue = "0", description = "Instead: the growth run, bakes of this many evaluations.")
    int longEvaluations;

    @Option(names = "--long-bakes", defaultValue = "2", description = "Bakes in the growth run (default: ${DEFAULT-VALUE}).")
    int longBakes;

    @Option(names = "--window", defaultValue = "30", description = "Growth run: evaluations averaged at the start and at "
            + "the end (default: ${DEFAULT-VALUE}).")
    int window;

    @Option(names = "--interval", defaultValue = "1m", description = "The gate's evaluation interval (default: ${DEFAULT-VALUE}).")
    String interval;

    @Option(names = "--threads", defaultValue = "4", description = "The evaluation pool, as the plugin's GateExecutors "
            + "(default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--timer-threads", defaultValue = "1", description = "The scheduler that wakes bakes up "
            + "(default: ${DEFAULT-VALUE}).")
    int timerThreads;

    @Option(names = "--tick", defaultValue = "0ms", description = "Real time between a bake's wake-ups; 0: at once, "
            + "as fast as the pool goes (default: ${DEFAULT-VALUE}).")
    String tick;

    @Option(names = "--warmup", defaultValue = "10", description = "Bakes of 30 evaluations run first, not measured "
            + "(default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--state-dir", paramLabel = "DIR", description = "Where the state files go (default: a temporary "
            + "folder, deleted afterwards).")
    Path stateDir;

    @Option(names = "--timeout", defaultValue = "60m", description = "Gives up on a run after this long "
            + "(default: ${DEFAULT-VALUE}).")
    String timeout;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();
    /** HTTP requests made on each thread, counted by the shared client's interceptor. */
    private static final ThreadLocal<long[]> REQUESTS_HERE = ThreadLocal.withInitial(() -> new long[1]);

    private final AtomicLong requests = new AtomicLong();
    private OkHttpClient http;
    private PrometheusClient client;
    private GateFile gate;
    private ScaleData.Manifest manifest;
    private Duration step;
    private long tickMillis;
    private ScheduledThreadPoolExecutor timer;
    private ThreadPoolExecutor pool;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (writeData != null) {
            ScaleData.Manifest m = ScaleData.write(writeData, Instant.now(), hours, scrapeSeconds, seed);
            out.printf(Locale.ROOT, "wrote %s: %s to %s, a sample every %d s, seed %d%n", writeData.resolve("metrics.om"),
                    m.start(), m.end(), m.scrapeSeconds(), m.seed());
            return 0;
        }
        if (data == null || prometheusUrl == null || (bakes <= 0 && longEvaluations <= 0)) {
            throw new UsageException("prodgate benchmark-scale: give --data, --prometheus and --bakes N or --long N "
                    + "(or --write-data DIR)");
        }
        manifest = ScaleData.Manifest.read(data);
        step = Durations.parse(interval);
        tickMillis = Durations.parse(tick).toMillis();
        int longest = Math.max(longEvaluations, evaluations);
        Duration span = Duration.between(manifest.start(), manifest.end()).minus(Duration.ofMinutes(20));
        if (step.multipliedBy(longest).compareTo(span) > 0) {
            throw new UsageException("prodgate benchmark-scale: " + longest + " evaluations of " + interval
                    + " do not fit in the data (" + Durations.human(span) + " usable); write more --hours");
        }
        boolean tempState = stateDir == null;
        Path states = tempState ? Files.createTempDirectory("prodgate-scale-") : Files.createDirectories(stateDir);
        ThreadFactory named = named("prodgate scale timer");
        timer = new ScheduledThreadPoolExecutor(Math.max(1, timerThreads), named);
        pool = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                named("prodgate scale evaluation"));
        http = new OkHttpClient.Builder().addInterceptor(chain -> {
            if (chain.request().url().encodedPath().contains("/api/")) {
                requests.incrementAndGet();
                REQUESTS_HERE.get()[0]++;
            }
            return chain.proceed(chain.request());
        }).build();
        try {
            client = PrometheusClient.builder().baseUrl(prometheusUrl).timeout(Duration.ofSeconds(30))
                    .okHttpClient(http).build();
            if (warmup > 0) {
                int each = Math.min(30, evaluations);
                Result w = run(states.resolve("warmup"), warmup, each, false);
                out.printf(Locale.ROOT, "warm-up: %d bakes of %d evaluations, %d evaluations in %.1f s (not measured)%n",
                        warmup, each, w.evaluations, w.seconds);
            }
            if (bakes > 0) {
                table(out, states.resolve("table"));
            }
            if (longEvaluations > 0) {
                growth(out, states.resolve("growth"));
            }
        } finally {
            timer.shutdownNow();
            pool.shutdownNow();
            if (client != null) {
                client.close();
            }
            http.dispatcher().executorService().shutdown();
            http.connectionPool().evictAll();
            if (tempState) {
                delete(states);
            }
        }
        out.flush();
        return 0;
    }

    // ---- the table: N bakes of a few evaluations ----

    private void table(PrintWriter out, Path states) throws Exception {
        out.printf(Locale.ROOT, "== %d bakes of %d evaluations (%s interval), %d evaluation threads, %d timer thread(s), "
                + "-Xmx%d MiB%n", bakes, evaluations, interval, threads, timerThreads,
                Runtime.getRuntime().maxMemory() >> 20);
        Result r = run(states, bakes, evaluations, false);
        long[] walls = Arrays.copyOf(r.walls, (int) Math.min(r.walls.length, r.evaluations));
        Arrays.sort(walls);
        double p50 = percentile(walls, 0.50) / 1e6;
        double p99 = percentile(walls, 0.99) / 1e6;
        double max = walls.length == 0 ? 0 : walls[walls.length - 1] / 1e6;
        double gateSeconds = r.gateNanos / 1e9;
        double perBakeKiB = (r.heapAfter - r.heapBefore) / 1024.0 / bakes;
        double reqPerEval = r.requests / (double) Math.max(1, r.evaluations);
        double promPerEval = r.prometheusSeconds * 1e3 / Math.max(1, r.evaluations);
        double ratio = r.prometheusSeconds > 0 ? gateSeconds / r.prometheusSeconds : Double.NaN;
        out.printf(Locale.ROOT, "machine:        load average %.1f before, %.1f after, %d cores%n", r.loadBefore,
                r.loadAfter, Runtime.getRuntime().availableProcessors());
        out.printf(Locale.ROOT, "threads:        peak %d live in the JVM (%d evaluation, %d timer)%n", r.peakThreads,
                threads, timerThreads);
        out.printf(Locale.ROOT, "heap after GC:  %.1f MiB with the %d bakes held, %.1f MiB before they began: %.1f KiB "
                + "kept per bake%n", r.heapAfter / 1048576.0, bakes, r.heapBefore / 1048576.0, perBakeKiB);
        out.printf(Locale.ROOT, "evaluations:    %d in %.1f s: %.0f per second%n", r.evaluations, r.seconds,
                r.evaluations / Math.max(1e-9, r.seconds));
        out.printf(Locale.ROOT, "per evaluation: p50 %.2f ms, p99 %.2f ms, max %.1f ms (wall time of each advance)%n",
                p50, p99, max);
        double evals = Math.max(1, r.evaluations);
        out.printf(Locale.ROOT, "of which:       %.2f ms the evidence (Prometheus queries), %.2f ms saving the state, "
                + "%.2f ms the rest (the judge; its CPU %.2f ms), means per evaluation%n", r.sourceNanos / 1e6 / evals,
                r.storeNanos / 1e6 / evals, (r.gateNanos - r.sourceNanos - r.storeNanos) / 1e6 / evals,
                r.judgeCpuNanos / 1e6 / evals);
        out.printf(Locale.ROOT, "HTTP requests:  %d, %.2f per evaluation%n", r.requests, reqPerEval);
        out.printf(Locale.ROOT, "Prometheus:     %.1f s answering %d queries (its own /api/v1/query durations), "
                + "%.2f ms per evaluation; the gate took %.1f s: %.2fx the floor%n", r.prometheusSeconds,
                r.prometheusQueries, promPerEval, gateSeconds, ratio);
        out.printf(Locale.ROOT, "state:          %.0f bytes written per evaluation; %.1f KiB per bake on disk at the end%n",
                r.stateWritten / (double) Math.max(1, r.evaluations), r.stateOnDisk / 1024.0 / bakes);
        out.printf(Locale.ROOT, "verdicts:       %s%n", r.verdicts);
        out.printf(Locale.ROOT, "errors:         %d evaluations with a source error, %d exceptions, %d out of memory%s%n",
                r.sourceErrors, r.exceptions, r.outOfMemory, r.firstProblem == null ? "" : " (first: " + r.firstProblem + ")");
        out.printf(Locale.ROOT, "row: | %,d | %d | %d | %.0f MiB | %.1f KiB | %.0f | %.1f / %.1f ms | %.2f | %.2f ms | %.1fx "
                + "| %,.0f B | %d |%n", bakes, evaluations, r.peakThreads, r.heapAfter / 1048576.0, perBakeKiB,
                r.evaluations / Math.max(1e-9, r.seconds), p50, p99, reqPerEval, promPerEval, ratio,
                r.stateWritten / (double) Math.max(1, r.evaluations), r.sourceErrors + r.exceptions + r.outOfMemory);
    }

    // ---- the growth run: a few long bakes ----

    private void growth(PrintWriter out, Path states) throws Exception {
        out.printf(Locale.ROOT, "== growth: %d bakes of %d evaluations (%s interval) at once, %d evaluation threads%n",
                longBakes, longEvaluations, interval, threads);
        Result r = run(states, longBakes, longEvaluations, true);
        int w = Math.min(window, longEvaluations / 2);
        int lastFrom = longEvaluations - w;
        Window first = new Window();
        Window last = new Window();
        for (Baker b : r.bakers) {
            for (int i = 0; i < Math.min(b.made, longEvaluations); i++) {
                if (i < w) {
                    first.add(b, i);
                } else if (i >= lastFrom) {
                    last.add(b, i);
                }
            }
        }
        out.printf(Locale.ROOT, "machine:        load average %.1f before, %.1f after, %d cores; peak %d threads%n",
                r.loadBefore, r.loadAfter, Runtime.getRuntime().availableProcessors(), r.peakThreads);
        out.printf(Locale.ROOT, "evaluations:    %d in %.1f s; verdicts %s; errors: %d source, %d exceptions, %d out "
                + "of memory%s%n", r.evaluations, r.seconds, r.verdicts, r.sourceErrors, r.exceptions, r.outOfMemory,
                r.firstProblem == null ? "" : " (first: " + r.firstProblem + ")");
        out.printf(Locale.ROOT, "heap after GC:  %.1f MiB with the %d bakes held at their end, %.1f MiB before: %.1f KiB "
                + "kept per bake%n", r.heapAfter / 1048576.0, longBakes, r.heapBefore / 1048576.0,
                (r.heapAfter - r.heapBefore) / 1024.0 / longBakes);
        if (last.n == 0) {
            out.println("growth:         no bake reached its last evaluations; nothing to compare");
            return;
        }
        String firstLabel = "1-" + w;
        String lastLabel = String.format(Locale.ROOT, "%,d-%,d", lastFrom + 1, longEvaluations);
        out.println("growth:         | evaluations | judge CPU | judge wall | source wall | HTTP requests | state written "
                + "| state on disk |");
        out.println(first.row(firstLabel));
        out.println(last.row(lastLabel));
        out.printf(Locale.ROOT, "growth row: | ratio | %.2fx | %.2fx | %.2fx | %.2fx | %.2fx | %.2fx |%n",
                last.judgeCpu() / first.judgeCpu(), last.judgeWall() / first.judgeWall(),
                last.sourceWall() / first.sourceWall(), last.requests() / first.requests(),
                last.written() / first.written(), last.onDisk() / first.onDisk());
    }

    /** Per-evaluation averages over some evaluations of the growth run's bakes. */
    private static final class Window {
        int n;
        double judgeCpu;
        double judgeWall;
        double sourceWall;
        double requests;
        double written;
        double onDisk;

        void add(Baker b, int i) {
            n++;
            judgeCpu += b.judgeCpu[i];
            judgeWall += b.judgeWall[i];
            sourceWall += b.sourceWall[i];
            requests += b.requestsAt[i];
            written += b.writtenAt[i];
            onDisk += b.onDiskAt[i];
        }

        double judgeCpu() {
            return judgeCpu / n / 1e3;
        }

        double judgeWall() {
            return judgeWall / n / 1e3;
        }

        double sourceWall() {
            return sourceWall / n / 1e3;
        }

        double requests() {
            return requests / n;
        }

        double written() {
            return written / n;
        }

        double onDisk() {
            return onDisk / n;
        }

        String row(String label) {
            return String.format(Locale.ROOT, "growth row: | %s | %.0f us | %.0f us | %.0f us | %.2f | %,.0f B | %,.0f B |",
                    label, judgeCpu(), judgeWall(), sourceWall(), requests(), written(), onDisk());
        }
    }

    // ---- driving the bakes ----

    /** What one run of bakes measured. */
    private static final class Result {
        List<Baker> bakers;
        long evaluations;
        double seconds;
        long[] walls;
        long gateNanos;
        long sourceNanos;
        long storeNanos;
        long judgeCpuNanos;
        long requests;
        int peakThreads;
        double loadBefore;
        double loadAfter;
        long heapBefore;
        long heapAfter;
        double prometheusSeconds;
        long prometheusQueries;
        long stateWritten;
        long stateOnDisk;
        int sourceErrors;
        int exceptions;
        int outOfMemory;
        String firstProblem;
        Map<String, Integer> verdicts = new TreeMap<>();
    }

    /** One bake, as a Jenkins step execution holds it: its gate, source, state store and state. */
    private final class Baker {
        final CanaryRun.Bake bake;
        final Timed source;
        final Store store;
        final BakeListener listener;
        final long[] walls;
        final AtomicInteger slot;
        // growth run only: per evaluation
        final long[] judgeCpu;
        final long[] judgeWall;
        final long[] sourceWall;
        final long[] requestsAt;
        final long[] writtenAt;
        final long[] onDiskAt;
        final int limit;
        final CountDownLatch done;
        final Result result;
        BakeState state;
        Instant now;
        int made;
        int evaluatedCalls;
        boolean sourceError;

        Baker(CanaryRun run, Path dir, Instant start, int limit, boolean perEvaluation, long[] walls,
              AtomicInteger slot, CountDownLatch done, Result result) throws IOException {
            this.source = new Timed(new PrometheusEvidence(client));
            this.bake = run.bake(RunContext.builder().build(), source, ProofRequirement.none());
            this.store = new Store(dir);
            this.listener = new BakeListener() {
                @Override
                public void evaluated(CanaryGate.Step s) {
                    evaluatedCalls++;
                    if (s.evaluation() == null) {
                        return;
                    }
                    for (SloEvidence e : s.evaluation().slos()) {
                        if (failed(e.canary()) || failed(e.baseline())) {
                            sourceError = true;
                        }
                    }
                }
            };
            this.walls = walls;
            this.slot = slot;
            this.limit = limit;
            this.done = done;
            this.result = result;
            int n = perEvaluation ? limit : 0;
            judgeCpu = new long[n];
            judgeWall = new long[n];
            sourceWall = new long[n];
            requestsAt = new long[n];
            writtenAt = new long[n];
            onDiskAt = new long[n];
            this.state = bake.start(start);
            this.now = start;
        }

        private static boolean failed(Reading r) {
            return r != null && r.status() == Reading.Status.SOURCE_ERROR;
        }

        /** One wake-up: the next evaluation on the compressed clock, then the next wake-up. */
        void wake() {
            try {
                now = now.plus(step);
                source.reset();
                store.reset();
                sourceError = false;
                int before = evaluatedCalls;
                long requestsBefore = REQUESTS_HERE.get()[0];
                long cpu0 = THREADS.getCurrentThreadCpuTime();
                long t0 = System.nanoTime();
                state = bake.advance(state, now, store, listener);
                long wall = System.nanoTime() - t0 - store.bookkeeping;
                long cpu = THREADS.getCurrentThreadCpuTime() - cpu0 - store.bookkeepingCpu;
                int evaluated = evaluatedCalls - before;
                if (evaluated > 0) {
                    int i = slot.getAndIncrement();
                    if (i < walls.length) {
                        walls[i] = wall;
                    }
                    if (made < judgeCpu.length) {
                        judgeCpu[made] = cpu - source.cpu - store.cpu;
                        judgeWall[made] = wall - source.wall - store.wall;
                        sourceWall[made] = source.wall;
                        requestsAt[made] = REQUESTS_HERE.get()[0] - requestsBefore;
                        writtenAt[made] = store.written;
                        onDiskAt[made] = store.onDisk;
                    }
                    made += evaluated;
                }
                synchronized (result) {
                    result.evaluations += evaluated;
                    result.gateNanos += wall;
                    result.sourceNanos += source.wall;
                    result.storeNanos += store.wall;
                    result.judgeCpuNanos += cpu - source.cpu - store.cpu;
                    result.stateWritten += store.written;
                    if (sourceError) {
                        result.sourceErrors++;
                    }
                }
                if (state.decided() || made >= limit || evaluated == 0 && !now.isBefore(state.endsAt())) {
                    finish(state.decided() ? state.decision().verdict().name() : "undecided");
                    return;
                }
                timer.schedule(() -> pool.execute(this::wake), tickMillis, TimeUnit.MILLISECONDS);
            } catch (OutOfMemoryError e) {
                synchronized (result) {
                    result.outOfMemory++;
                    if (result.firstProblem == null) {
                        result.firstProblem = "OutOfMemoryError: " + e.getMessage();
                    }
                }
                finish("out of memory");
            } catch (Exception | Error e) {
                synchronized (result) {
                    result.exceptions++;
                    if (result.firstProblem == null) {
                        result.firstProblem = e.toString();
                    }
                }
                finish("exception");
            }
        }

        private void finish(String outcome) {
            synchronized (result) {
                result.verdicts.merge(outcome, 1, Integer::sum);
                result.stateOnDisk += store.onDisk;
            }
            done.countDown();
        }
    }

    /** The bake's evidence, timed: wall and CPU time spent collecting it in the current evaluation. */
    private static final class Timed implements EvidenceSource {
        private final EvidenceSource inner;
        long wall;
        long cpu;

        Timed(EvidenceSource inner) {
            this.inner = inner;
        }

        void reset() {
            wall = 0;
            cpu = 0;
        }

        @Override
        public List<SloEvidence> collect(io.prodgate.core.canary.CanarySpec spec, Instant bakeStart, Instant from,
                                         Instant at) {
            long c0 = THREADS.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            try {
                return inner.collect(spec, bakeStart, from, at);
            } finally {
                wall += System.nanoTime() - t0;
                cpu += THREADS.getCurrentThreadCpuTime() - c0;
            }
        }
    }

    /**
     * The bake's state file ({@link CanaryRun.StateStore#file}, in a folder of its own), timed, and what each save
     * wrote: a file that is new or was replaced (another inode) or rewritten in place counts whole, a file that only
     * grew counts its growth (an append). The bookkeeping's own time is left out of the bake's.
     */
    private static final class Store implements CanaryRun.StateStore {
        private final Path dir;
        private final CanaryRun.StateStore inner;
        private final Map<String, BasicFileAttributes> seen = new HashMap<>(4);
        long wall;
        long cpu;
        long written;
        long onDisk;
        long bookkeeping;
        long bookkeepingCpu;

        Store(Path dir) throws IOException {
            this.dir = Files.createDirectories(dir);
            this.inner = CanaryRun.StateStore.file(dir.resolve("state.json"));
        }

        void reset() {
            wall = 0;
            cpu = 0;
            written = 0;
            bookkeeping = 0;
            bookkeepingCpu = 0;
        }

        @Override
        public void save(BakeState state) throws IOException {
            long c0 = THREADS.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            try {
                inner.save(state);
            } finally {
                long t1 = System.nanoTime();
                long c1 = THREADS.getCurrentThreadCpuTime();
                wall += t1 - t0;
                cpu += c1 - c0;
                account();
                bookkeeping += System.nanoTime() - t1;
                bookkeepingCpu += THREADS.getCurrentThreadCpuTime() - c1;
            }
        }

        private void account() throws IOException {
            long total = 0;
            Map<String, BasicFileAttributes> now = new HashMap<>(4);
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    BasicFileAttributes a;
                    try {
                        a = Files.readAttributes(f, BasicFileAttributes.class);
                    } catch (IOException gone) {
                        continue; // a temporary file renamed meanwhile
                    }
                    if (!a.isRegularFile()) {
                        continue;
                    }
                    String name = String.valueOf(f.getFileName());
                    now.put(name, a);
                    total += a.size();
                    BasicFileAttributes before = seen.get(name);
                    boolean sameFile = before != null && before.fileKey() != null
                            && before.fileKey().equals(a.fileKey());
                    if (sameFile && a.size() > before.size()) {
                        written += a.size() - before.size();
                    } else if (!sameFile || !a.lastModifiedTime().equals(before.lastModifiedTime())
                            || a.size() != before.size()) {
                        written += a.size();
                    }
                }
            }
            seen.clear();
            seen.putAll(now);
            onDisk = total;
        }
    }

    private Result run(Path states, int n, int each, boolean perEvaluation) throws Exception {
        Result r = new Result();
        String text = gateText(each);
        gate = GateFileLoader.parse(Path.of("scale-gate.yaml"), text);
        long[] walls = new long[(int) Math.min(Integer.MAX_VALUE - 8, (long) n * each)];
        AtomicInteger slot = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(n);
        Prometheus before = prometheus();
        long requestsBefore = requests.get();
        r.heapBefore = heapAfterGc();
        List<Baker> bakers = new ArrayList<>(n);
        Instant lo = manifest.start().plus(Duration.ofMinutes(10));
        Instant hi = manifest.end().minus(Duration.ofMinutes(10)).minus(step.multipliedBy(each));
        long spread = Math.max(0, Duration.between(lo, hi).toMillis() / step.toMillis());
        for (int i = 0; i < n; i++) {
            // the bakes' starts spread over the data, on the interval's grid
            Instant start = lo.plus(step.multipliedBy(n <= 1 ? 0 : spread * i / n));
            // each bake its own run, as each Jenkins step execution parses its own gate file
            CanaryRun run = CanaryRun.of(gate, CanaryOverrides.none());
            bakers.add(new Baker(run, states.resolve("bake-" + i), start, each, perEvaluation, walls, slot, done, r));
        }
        THREADS.resetPeakThreadCount();
        r.loadBefore = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            Baker b = bakers.get(i);
            long delay = tickMillis * i / Math.max(1, n); // the first wake-ups spread over one tick
            timer.schedule(() -> pool.execute(b::wake), delay, TimeUnit.MILLISECONDS);
        }
        if (!done.await(Durations.parse(timeout).toMillis(), TimeUnit.MILLISECONDS)) {
            r.firstProblem = "timed out after " + timeout + " with " + done.getCount() + " bakes unfinished";
        }
        r.seconds = (System.nanoTime() - t0) / 1e9;
        r.peakThreads = THREADS.getPeakThreadCount();
        r.loadAfter = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        r.requests = requests.get() - requestsBefore;
        r.walls = walls;
        r.bakers = bakers;
        Prometheus after = prometheus();
        r.prometheusSeconds = after.seconds - before.seconds;
        r.prometheusQueries = after.queries - before.queries;
        r.heapAfter = heapAfterGc(); // the bakes' states still held, as a controller holds its running steps'
        // keep every bake reachable until here
        if (bakers.stream().map(b -> b.state).filter(s -> s == null).count() > 0) {
            throw new IllegalStateException("a bake lost its state");
        }
        return r;
    }

    private String gateText(int each) {
        Duration bake = step.multipliedBy(each);
        return "version: 1\n"
                + "prometheus:\n"
                + "  url: " + prometheusUrl + "\n"
                + "  timeout: 30s\n"
                + "canary:\n"
                + "  selectors:\n"
                + "    canary: '" + ScaleData.CANARY + "'\n"
                + "    baseline: '" + ScaleData.BASELINE + "'\n"
                + "  bake: " + bake.toSeconds() + "s\n"
                + "  interval: " + step.toSeconds() + "s\n"
                + "  slos:\n"
                + "    - name: availability\n"
                + "      bad: 'sum(increase(http_requests_total{${selector},code=~\"5..\"}[${window}]))'\n"
                + "      total: 'sum(increase(http_requests_total{${selector}}[${window}]))'\n"
                + "      objective: 99\n"
                + "    - name: latency\n"
                + "      good: 'sum(increase(http_request_duration_seconds_bucket{${selector},le=\"0.25\"}[${window}]))'\n"
                + "      total: 'sum(increase(http_request_duration_seconds_count{${selector}}[${window}]))'\n"
                + "      objective: 90\n";
    }

    /** Prometheus' own time answering instant queries so far, from its /metrics. */
    private record Prometheus(double seconds, long queries) {
    }

    private Prometheus prometheus() throws IOException {
        String base = prometheusUrl.endsWith("/") ? prometheusUrl : prometheusUrl + "/";
        try (Response res = http.newCall(new Request.Builder().url(base + "metrics").build()).execute()) {
            if (!res.isSuccessful() || res.body() == null) {
                throw new IOException("GET " + base + "metrics answered " + res.code());
            }
            double sum = 0;
            long count = 0;
            for (String line : res.body().string().split("\n")) {
                if (!line.contains("handler=\"/api/v1/query\"")) {
                    continue;
                }
                String value = line.substring(line.lastIndexOf(' ') + 1);
                if (line.startsWith("prometheus_http_request_duration_seconds_sum{")) {
                    sum += Double.parseDouble(value);
                } else if (line.startsWith("prometheus_http_request_duration_seconds_count{")) {
                    count += (long) Double.parseDouble(value);
                }
            }
            return new Prometheus(sum, count);
        }
    }

    private static long heapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return MEMORY.getHeapMemoryUsage().getUsed();
    }

    private static long percentile(long[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    private static ThreadFactory named(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + " " + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    private static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
