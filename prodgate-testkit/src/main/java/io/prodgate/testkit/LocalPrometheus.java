package io.prodgate.testkit;

import io.prodgate.core.prometheus.PrometheusClient;
import io.prodgate.core.prometheus.ScalarOutcome;
import io.prodgate.core.exec.CommandRun;
import io.prodgate.core.exec.CommandRunner;
import io.prodgate.core.exec.CommandSpec;
import io.prodgate.core.http.HttpExchange;
import io.prodgate.core.http.HttpProbe;
import io.prodgate.core.config.SecretSet;
import io.prodgate.core.util.Durations;
import io.prodgate.core.util.Json;
import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * A real Prometheus server in a child process, for the demo and for integration tests.
 *
 * <p>{@link Builder#build()} finds {@code prometheus} and {@code promtool} on the PATH, creates a temporary
 * directory holding {@code prometheus.yml}, the TSDB directory {@code data/} and the log
 * {@code prometheus.log}. Optionally {@link #backfill(Path)} OpenMetrics files into the TSDB, then
 * {@link #start()}: it binds 127.0.0.1 on a free port and waits for {@code /-/ready}. Queries go through core's
 * {@link PrometheusClient}, as the gates' own do. {@link #close()} stops the process with core's
 * {@link CommandRunner#killTree} (SIGTERM, then SIGKILL after a grace period) and deletes the directory; a JVM
 * shutdown hook does the same if the JVM exits first (e.g. on Ctrl-C).
 *
 * <pre>{@code
 * try (LocalPrometheus prom = LocalPrometheus.builder()
 *         .scrapeInterval(Duration.ofSeconds(1))
 *         .scrapeTarget(ScrapeTarget.of("sample", canary, Map.of("track", "canary")))
 *         .start()) {
 *   OptionalDouble v = prom.queryValue("sum(http_requests_total)");
 * }
 * }</pre>
 */
public final class LocalPrometheus implements AutoCloseable {

    /** Hint given when the binaries are missing. */
    public static final String INSTALL_HINT = "install the Debian package prometheus (apt-get install prometheus)";

    private static final int PORT_ATTEMPTS = 3;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration BACKFILL_TIMEOUT = Duration.ofSeconds(60);

    private final Path prometheusBinary;
    private final Path promtoolBinary;
    private final Path baseDir;
    private final Path dataDir;
    private final Path configFile;
    private final Path logFile;
    private final Thread shutdownHook;

    private final Object lock = new Object();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Process process;
    private volatile int port = -1;
    private volatile PrometheusClient client;
    private boolean started;

    private LocalPrometheus(Builder b) {
        this.prometheusBinary = requireExecutable("prometheus");
        this.promtoolBinary = requireExecutable("promtool");
        try {
            this.baseDir = Files.createTempDirectory("prodgate-prometheus-");
            this.dataDir = Files.createDirectories(baseDir.resolve("data"));
            this.configFile = baseDir.resolve("prometheus.yml");
            this.logFile = baseDir.resolve("prometheus.log");
            Files.writeString(configFile, renderConfig(b.scrapeInterval, b.targets));
            Files.writeString(logFile, "");
        } catch (IOException e) {
            throw new UncheckedIOException("Could not prepare a Prometheus directory", e);
        }
        this.shutdownHook = new Thread(this::cleanUp, "local-prometheus-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        try {
            for (Path file : b.backfillFiles) {
                backfill(file);
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** True if both {@code prometheus} and {@code promtool} are on the PATH. */
    public static boolean isInstalled() {
        return findExecutable("prometheus").isPresent() && findExecutable("promtool").isPresent();
    }

    /** Looks up an executable file on the PATH. */
    private static Optional<Path> findExecutable(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private static Path requireExecutable(String name) {
        return findExecutable(name)
                .orElseThrow(() -> new IllegalStateException("'" + name + "' was not found on the PATH; " + INSTALL_HINT));
    }

    /**
     * Imports an OpenMetrics text file (ending with {@code # EOF}) into the TSDB with
     * {@code promtool tsdb create-blocks-from openmetrics FILE DATADIR}. Only before {@link #start()}.
     *
     * @return this
     * @throws IllegalStateException if already started, or promtool fails (its output is in the message)
     */
    public LocalPrometheus backfill(Path openMetricsFile) {
        Objects.requireNonNull(openMetricsFile, "openMetricsFile");
        synchronized (lock) {
            if (closed.get()) {
                throw new IllegalStateException("LocalPrometheus is closed");
            }
            if (started) {
                throw new IllegalStateException("backfill must happen before start()");
            }
            if (!Files.isRegularFile(openMetricsFile)) {
                throw new IllegalArgumentException("No such file: " + openMetricsFile);
            }
            List<String> argv = List.of(promtoolBinary.toString(), "tsdb", "create-blocks-from", "openmetrics",
                    openMetricsFile.toAbsolutePath().toString(), dataDir.toString());
            CommandRun run = CommandRunner.run(new CommandSpec(argv, BACKFILL_TIMEOUT, Map.of(), Optional.empty()),
                    baseDir, BACKFILL_TIMEOUT, new SecretSet("LocalPrometheus", Map.of(), baseDir));
            if (Thread.currentThread().isInterrupted()) {
                throw new IllegalStateException("Interrupted while backfilling " + openMetricsFile);
            }
            if (!run.started()) {
                throw new IllegalStateException("Could not run promtool: " + run.error());
            }
            if (run.timedOut()) {
                throw new IllegalStateException("promtool backfill of " + openMetricsFile + " timed out after "
                        + Durations.human(BACKFILL_TIMEOUT));
            }
            if (run.exitCode() != 0) {
                throw new IllegalStateException("promtool backfill of " + openMetricsFile + " failed (exit "
                        + run.exitCode() + "):\n" + lastLines(run.output(), 30));
            }
            return this;
        }
    }

    /**
     * Starts Prometheus on 127.0.0.1 and a free port, and waits until {@code /-/ready} answers 200.
     *
     * @return this
     * @throws IllegalStateException if it does not get ready within the start timeout (the message holds the
     *     tail of the log), or if already started or closed
     */
    public LocalPrometheus start() {
        synchronized (lock) {
            if (closed.get()) {
                throw new IllegalStateException("LocalPrometheus is closed");
            }
            if (started) {
                throw new IllegalStateException("LocalPrometheus is already started");
            }
            started = true;
            long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
            for (int attempt = 1; ; attempt++) {
                int candidate = Loopback.freePort();
                Process p = launch(candidate);
                process = p;
                port = candidate;
                if (closed.get()) {
                    // close() (or the shutdown hook) ran concurrently and may have missed this process.
                    CommandRunner.killTree(p);
                    throw new IllegalStateException("LocalPrometheus was closed while starting");
                }
                String failure = awaitReady(p, candidate, deadline);
                if (failure == null) {
                    client = PrometheusClient.builder().baseUrl(url()).build();
                    if (closed.get()) {
                        client.close();
                        throw new IllegalStateException("LocalPrometheus was closed while starting");
                    }
                    return this;
                }
                CommandRunner.killTree(p);
                process = null;
                if (closed.get()) {
                    throw new IllegalStateException("LocalPrometheus was closed while starting");
                }
                String log = tail(logFile, 40);
                boolean portClash = log.contains("address already in use");
                if (portClash && attempt < PORT_ATTEMPTS && System.nanoTime() < deadline) {
                    appendLog("--- port " + candidate + " was taken, retrying on another port ---\n");
                    continue;
                }
                port = -1;
                throw new IllegalStateException(
                        "Prometheus did not become ready: " + failure + " (log: " + logFile + "). Last log lines:\n" + log);
            }
        }
    }

    private Process launch(int candidatePort) {
        List<String> cmd = new ArrayList<>();
        cmd.add(prometheusBinary.toString());
        cmd.add("--config.file=" + configFile);
        cmd.add("--storage.tsdb.path=" + dataDir);
        cmd.add("--storage.tsdb.retention.time=100y");
        cmd.add("--web.listen-address=" + Loopback.HOST + ":" + candidatePort);
        appendLog("--- starting: " + String.join(" ", cmd) + " ---\n");
        try {
            return new ProcessBuilder(cmd)
                    .directory(baseDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start " + prometheusBinary, e);
        }
    }

    /** Null when ready, else the reason it is not. */
    private String awaitReady(Process p, int candidatePort, long deadline) {
        String ready = "http://" + Loopback.HOST + ":" + candidatePort + "/-/ready";
        try (HttpProbe probe = new HttpProbe(new SecretSet("LocalPrometheus", Map.of(), baseDir))) {
            while (true) {
                if (closed.get()) {
                    return "closed while starting";
                }
                if (!p.isAlive()) {
                    return "the process exited with code " + p.exitValue();
                }
                HttpExchange answer = probe.call("GET", ready, Map.of(), Map.of(), Optional.empty(),
                        Duration.ofSeconds(1));
                if (answer.status() != null && answer.status() == 200) {
                    return null;
                }
                if (System.nanoTime() - deadline >= 0) {
                    return "timed out";
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return "interrupted";
                }
            }
        }
    }

    /** {@code http://127.0.0.1:PORT} (no trailing slash). @throws IllegalStateException if not running */
    public String url() {
        return "http://" + Loopback.HOST + ":" + port();
    }

    /** The port Prometheus listens on. @throws IllegalStateException if not running */
    public int port() {
        int p = port;
        if (process == null || p < 0) {
            throw new IllegalStateException("LocalPrometheus is not running");
        }
        return p;
    }

    /** True while the Prometheus process is alive. */
    public boolean isRunning() {
        Process p = process;
        return p != null && p.isAlive();
    }

    /** The temporary directory holding config, TSDB and log. */
    public Path baseDir() {
        return baseDir;
    }

    public Path configFile() {
        return configFile;
    }

    /** The last {@code lines} lines of the Prometheus log. */
    public String logTail(int lines) {
        return tail(logFile, lines);
    }

    /** The one number {@code promql} gives now; empty when it selects no series. */
    public OptionalDouble queryValue(String promql) {
        return queryValue(promql, Instant.now());
    }

    /**
     * The one number {@code promql} gives at {@code time}: a scalar, or a vector with one sample (NaN and ±Inf
     * included); empty when it selects no series.
     *
     * @throws IllegalStateException if Prometheus is not running, the query fails, or it gives several series
     */
    public OptionalDouble queryValue(String promql, Instant time) {
        PrometheusClient c = client;
        if (c == null || closed.get()) {
            throw new IllegalStateException("LocalPrometheus is not running");
        }
        ScalarOutcome outcome =
                c.scalar(Objects.requireNonNull(promql, "promql"), Objects.requireNonNull(time, "time"));
        if (outcome instanceof ScalarOutcome.Value v) {
            return OptionalDouble.of(v.value());
        }
        if (outcome instanceof ScalarOutcome.NotFinite n) {
            return OptionalDouble.of(n.value());
        }
        if (outcome instanceof ScalarOutcome.Empty) {
            return OptionalDouble.empty();
        }
        throw new IllegalStateException(outcome.describe());
    }

    /** Stops Prometheus (SIGTERM, SIGKILL after a grace period) and deletes its directory. Idempotent. */
    @Override
    public void close() {
        cleanUp();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // The hook is running or about to; nothing to do.
        }
    }

    private void cleanUp() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        PrometheusClient c = client;
        if (c != null) {
            c.close();
        }
        Process p = process;
        if (p != null) {
            CommandRunner.killTree(p);
        }
        port = -1;
        deleteRecursively(baseDir);
    }

    private void appendLog(String line) {
        try {
            Files.writeString(logFile, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException ignored) {
            // Only diagnostics.
        }
    }

    static String tail(Path file, int lines) {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            long len = f.length();
            int read = (int) Math.min(len, 64 * 1024);
            byte[] buf = new byte[read];
            f.seek(len - read);
            f.readFully(buf);
            return lastLines(new String(buf, StandardCharsets.UTF_8), lines);
        } catch (IOException e) {
            return "(could not read " + file + ": " + e.getMessage() + ")";
        }
    }

    private static String lastLines(String text, int lines) {
        String[] all = text.split("\n");
        return String.join("\n", Arrays.copyOfRange(all, Math.max(0, all.length - lines), all.length));
    }

    private static void deleteRecursively(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException ignored) {
                    // Best effort.
                }
            });
        } catch (IOException | UncheckedIOException ignored) {
            // Best effort.
        }
    }

    // ---------------------------------------------------------------------------------------------

    /**
     * Renders prometheus.yml; targets sharing a job name become one job with several static_configs. No rules are
     * loaded, so the evaluation interval is the scrape interval.
     */
    static String renderConfig(Duration scrapeInterval, List<ScrapeTarget> targets) {
        StringBuilder y = new StringBuilder();
        y.append("# Written by prodgate's LocalPrometheus.\n");
        y.append("global:\n");
        String interval = Durations.promql(scrapeInterval);
        y.append("  scrape_interval: ").append(interval).append('\n');
        y.append("  scrape_timeout: ").append(interval).append('\n');
        y.append("  evaluation_interval: ").append(interval).append('\n');
        Map<String, List<ScrapeTarget>> jobs = new LinkedHashMap<>();
        for (ScrapeTarget t : targets) {
            jobs.computeIfAbsent(t.jobName(), k -> new ArrayList<>()).add(t);
        }
        if (jobs.isEmpty()) {
            y.append("scrape_configs: []\n");
            return y.toString();
        }
        y.append("scrape_configs:\n");
        for (Map.Entry<String, List<ScrapeTarget>> job : jobs.entrySet()) {
            y.append("  - job_name: ").append(quote(job.getKey())).append('\n');
            y.append("    metrics_path: \"/metrics\"\n");
            y.append("    scheme: \"http\"\n");
            y.append("    static_configs:\n");
            for (ScrapeTarget t : job.getValue()) {
                y.append("      - targets: [").append(quote(t.hostPort())).append("]\n");
                if (!t.labels().isEmpty()) {
                    y.append("        labels:\n");
                    for (Map.Entry<String, String> l : t.labels().entrySet()) {
                        y.append("          ").append(l.getKey()).append(": ").append(quote(l.getValue())).append('\n');
                    }
                }
            }
        }
        return y.toString();
    }

    /** A YAML double-quoted scalar (JSON string syntax is valid YAML). */
    private static String quote(String s) {
        return Json.write(s);
    }

    /** Builder. Default scrape interval 1 s. */
    public static final class Builder {
        private Duration scrapeInterval = Duration.ofSeconds(1);
        private final List<ScrapeTarget> targets = new ArrayList<>();
        private final List<Path> backfillFiles = new ArrayList<>();

        private Builder() {}

        /** Global scrape_interval (and scrape_timeout), in [100 ms, 5 min], whole milliseconds. */
        public Builder scrapeInterval(Duration interval) {
            Objects.requireNonNull(interval, "scrapeInterval");
            if (interval.compareTo(Duration.ofMillis(100)) < 0 || interval.compareTo(Duration.ofMinutes(5)) > 0
                    || interval.toNanos() % 1_000_000 != 0) {
                throw new IllegalArgumentException(
                        "scrapeInterval must be whole milliseconds in [100ms, 5m], got: " + interval);
            }
            this.scrapeInterval = interval;
            return this;
        }

        public Builder scrapeTarget(ScrapeTarget target) {
            targets.add(Objects.requireNonNull(target, "target"));
            return this;
        }

        /** An OpenMetrics file to backfill with promtool when the instance is built (before start). */
        public Builder backfill(Path openMetricsFile) {
            backfillFiles.add(Objects.requireNonNull(openMetricsFile, "openMetricsFile"));
            return this;
        }

        /**
         * Creates the directory and config and runs the backfills; the process is not started yet.
         *
         * @throws IllegalStateException if prometheus or promtool is not installed
         */
        public LocalPrometheus build() {
            return new LocalPrometheus(this);
        }

        /** Builds and starts; on a start failure everything is cleaned up before the exception propagates. */
        public LocalPrometheus start() {
            LocalPrometheus p = build();
            try {
                return p.start();
            } catch (RuntimeException e) {
                p.close();
                throw e;
            }
        }
    }
}
