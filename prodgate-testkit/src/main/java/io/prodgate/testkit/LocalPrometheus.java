package io.prodgate.testkit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Prometheus server in a child process, for the demo and for integration tests.
 *
 * <p>{@link Builder#build()} finds {@code prometheus} and {@code promtool} on the PATH, creates a temporary
 * directory holding {@code prometheus.yml}, the TSDB directory {@code data/} and the log
 * {@code prometheus.log}. Optionally {@link #backfill(Path)} OpenMetrics files into the TSDB, then
 * {@link #start()}: it binds 127.0.0.1 on a free port and waits for {@code /-/ready}. {@link #close()}
 * stops the process (SIGTERM, then SIGKILL after a grace period) and deletes the directory; a JVM shutdown
 * hook does the same if the JVM exits first (e.g. on Ctrl-C).
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

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PORT_ATTEMPTS = 3;

    private final Path prometheusBinary;
    private final Path promtoolBinary;
    private final Path baseDir;
    private final Path dataDir;
    private final Path configFile;
    private final Path logFile;
    private final Duration startTimeout;
    private final Duration stopGracePeriod;
    private final List<String> extraArgs;
    private final Thread shutdownHook;

    private final Object lock = new Object();
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile Process process;
    private volatile int port = -1;
    private boolean started;

    private LocalPrometheus(Builder b) {
        this.prometheusBinary = b.prometheusBinary != null ? b.prometheusBinary : requireExecutable("prometheus");
        this.promtoolBinary = b.promtoolBinary != null ? b.promtoolBinary : requireExecutable("promtool");
        this.startTimeout = b.startTimeout;
        this.stopGracePeriod = b.stopGracePeriod;
        this.extraArgs = List.copyOf(b.extraArgs);
        try {
            this.baseDir = Files.createTempDirectory("prodgate-prometheus-");
            this.dataDir = Files.createDirectories(baseDir.resolve("data"));
            this.configFile = baseDir.resolve("prometheus.yml");
            this.logFile = baseDir.resolve("prometheus.log");
            Files.writeString(configFile, renderConfig(b.scrapeInterval, b.evaluationInterval, b.targets));
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
    public static Optional<Path> findExecutable(String name) {
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
            Path out = baseDir.resolve("promtool.log");
            List<String> cmd =
                    List.of(
                            promtoolBinary.toString(),
                            "tsdb",
                            "create-blocks-from",
                            "openmetrics",
                            openMetricsFile.toAbsolutePath().toString(),
                            dataDir.toString());
            try {
                Process p =
                        new ProcessBuilder(cmd)
                                .directory(baseDir.toFile())
                                .redirectErrorStream(true)
                                .redirectOutput(ProcessBuilder.Redirect.to(out.toFile()))
                                .start();
                if (!p.waitFor(60, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                    throw new IllegalStateException("promtool backfill timed out after 60 s");
                }
                if (p.exitValue() != 0) {
                    throw new IllegalStateException(
                            "promtool backfill of " + openMetricsFile + " failed (exit " + p.exitValue() + "):\n" + tail(out, 30));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("Could not run promtool", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while backfilling", e);
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
            long deadline = System.nanoTime() + startTimeout.toNanos();
            for (int attempt = 1; ; attempt++) {
                int candidate = Loopback.freePort();
                Process p = launch(candidate);
                process = p;
                port = candidate;
                if (closed.get()) {
                    // close() (or the shutdown hook) ran concurrently and may have missed this process.
                    stopProcess(p);
                    throw new IllegalStateException("LocalPrometheus was closed while starting");
                }
                String failure = awaitReady(p, candidate, deadline);
                if (failure == null) {
                    return this;
                }
                stopProcess(p);
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
        cmd.addAll(extraArgs);
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
        URI ready = URI.create("http://" + Loopback.HOST + ":" + candidatePort + "/-/ready");
        while (true) {
            if (closed.get()) {
                return "closed while starting";
            }
            if (!p.isAlive()) {
                return "the process exited with code " + p.exitValue();
            }
            try {
                HttpURLConnection c = (HttpURLConnection) ready.toURL().openConnection();
                c.setConnectTimeout(500);
                c.setReadTimeout(1000);
                try {
                    if (c.getResponseCode() == 200) {
                        return null;
                    }
                } finally {
                    c.disconnect();
                }
            } catch (IOException notYet) {
                // Not listening yet.
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

    /** The TSDB directory ({@code --storage.tsdb.path}). */
    public Path dataDir() {
        return dataDir;
    }

    public Path configFile() {
        return configFile;
    }

    public Path logFile() {
        return logFile;
    }

    /** The last {@code lines} lines of the Prometheus log. */
    public String logTail(int lines) {
        return tail(logFile, lines);
    }

    /**
     * Runs an instant query ({@code GET /api/v1/query}) now and returns the raw JSON answer.
     *
     * @throws IllegalStateException if Prometheus answers non-200 (the body is in the message)
     */
    public String query(String promql) {
        return query(promql, null);
    }

    /** Runs an instant query at {@code time} (null = now) and returns the raw JSON answer. */
    public String query(String promql, Instant time) {
        Objects.requireNonNull(promql, "promql");
        StringBuilder q = new StringBuilder(url()).append("/api/v1/query?query=")
                .append(URLEncoder.encode(promql, StandardCharsets.UTF_8));
        if (time != null) {
            q.append("&time=").append(formatTime(time));
        }
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create(q.toString()).toURL().openConnection();
            c.setConnectTimeout(2000);
            c.setReadTimeout(10_000);
            try {
                int code = c.getResponseCode();
                InputStream in = code >= 400 ? c.getErrorStream() : c.getInputStream();
                String body = in == null ? "" : new String(in.readNBytes(8 * 1024 * 1024), StandardCharsets.UTF_8);
                if (in != null) {
                    in.close();
                }
                if (code != 200) {
                    throw new IllegalStateException("Prometheus answered " + code + " to " + promql + ": " + body);
                }
                return body;
            } finally {
                c.disconnect();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Query failed: " + promql, e);
        }
    }

    /** The value of a scalar result, or of the first sample of a vector result; empty if there is none. */
    public OptionalDouble queryValue(String promql) {
        return queryValue(promql, null);
    }

    /** Like {@link #queryValue(String)} but evaluated at {@code time} (null = now). */
    public OptionalDouble queryValue(String promql, Instant time) {
        return firstValue(query(promql, time));
    }

    /** Extracts the value of a scalar result or the first vector sample from a query answer. */
    static OptionalDouble firstValue(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Not JSON: " + json, e);
        }
        JsonNode data = root.path("data");
        String type = data.path("resultType").asText("");
        JsonNode result = data.path("result");
        JsonNode value;
        switch (type) {
            case "scalar":
                value = result;
                break;
            case "vector":
                if (result.size() == 0) {
                    return OptionalDouble.empty();
                }
                value = result.get(0).path("value");
                break;
            default:
                return OptionalDouble.empty();
        }
        if (!value.isArray() || value.size() < 2) {
            return OptionalDouble.empty();
        }
        String text = value.get(1).asText();
        switch (text) {
            case "NaN":
                return OptionalDouble.of(Double.NaN);
            case "+Inf":
                return OptionalDouble.of(Double.POSITIVE_INFINITY);
            case "-Inf":
                return OptionalDouble.of(Double.NEGATIVE_INFINITY);
            default:
                return OptionalDouble.of(Double.parseDouble(text));
        }
    }

    private static String formatTime(Instant t) {
        return java.math.BigDecimal.valueOf(t.getEpochSecond())
                .add(java.math.BigDecimal.valueOf(t.getNano(), 9))
                .stripTrailingZeros()
                .toPlainString();
    }

    /** Stops Prometheus (SIGTERM, SIGKILL after the grace period) and deletes its directory. Idempotent. */
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
        Process p = process;
        if (p != null) {
            stopProcess(p);
        }
        port = -1;
        deleteRecursively(baseDir);
    }

    private void stopProcess(Process p) {
        p.descendants().forEach(ProcessHandle::destroy);
        p.destroy();
        try {
            if (!p.waitFor(stopGracePeriod.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private void appendLog(String line) {
        try {
            Files.writeString(logFile, line, StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
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
            String[] all = new String(buf, StandardCharsets.UTF_8).split("\n");
            int from = Math.max(0, all.length - lines);
            return String.join("\n", java.util.Arrays.copyOfRange(all, from, all.length));
        } catch (IOException e) {
            return "(could not read " + file + ": " + e.getMessage() + ")";
        }
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

    /** Renders prometheus.yml; targets sharing a job name become one job with several static_configs. */
    static String renderConfig(Duration scrapeInterval, Duration evaluationInterval, List<ScrapeTarget> targets) {
        StringBuilder y = new StringBuilder();
        y.append("# Written by prodgate's LocalPrometheus.\n");
        y.append("global:\n");
        y.append("  scrape_interval: ").append(promDuration(scrapeInterval)).append('\n');
        y.append("  scrape_timeout: ").append(promDuration(scrapeInterval)).append('\n');
        y.append("  evaluation_interval: ").append(promDuration(evaluationInterval)).append('\n');
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
        try {
            return JSON.writeValueAsString(s);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static String promDuration(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? (ms / 1000) + "s" : ms + "ms";
    }

    /** Builder. Defaults: scrape and evaluation interval 1 s, start timeout 30 s, stop grace period 5 s. */
    public static final class Builder {
        private Duration scrapeInterval = Duration.ofSeconds(1);
        private Duration evaluationInterval;
        private final List<ScrapeTarget> targets = new ArrayList<>();
        private final List<Path> backfillFiles = new ArrayList<>();
        private Duration startTimeout = Duration.ofSeconds(30);
        private Duration stopGracePeriod = Duration.ofSeconds(5);
        private Path prometheusBinary;
        private Path promtoolBinary;
        private final List<String> extraArgs = new ArrayList<>();

        private Builder() {}

        /** Global scrape_interval (and scrape_timeout), in [100 ms, 5 min], whole milliseconds. */
        public Builder scrapeInterval(Duration interval) {
            this.scrapeInterval = checkInterval(interval, "scrapeInterval");
            return this;
        }

        /** Global evaluation_interval (default: the scrape interval). */
        public Builder evaluationInterval(Duration interval) {
            this.evaluationInterval = checkInterval(interval, "evaluationInterval");
            return this;
        }

        public Builder scrapeTarget(ScrapeTarget target) {
            targets.add(Objects.requireNonNull(target, "target"));
            return this;
        }

        public Builder scrapeTargets(List<ScrapeTarget> list) {
            list.forEach(this::scrapeTarget);
            return this;
        }

        /** An OpenMetrics file to backfill with promtool when the instance is built (before start). */
        public Builder backfill(Path openMetricsFile) {
            backfillFiles.add(Objects.requireNonNull(openMetricsFile, "openMetricsFile"));
            return this;
        }

        /** How long {@link LocalPrometheus#start()} waits for /-/ready, in (0, 5 min]. */
        public Builder startTimeout(Duration timeout) {
            this.startTimeout = checkPositive(timeout, "startTimeout", Duration.ofMinutes(5));
            return this;
        }

        /** How long close() waits after SIGTERM before SIGKILL, in (0, 1 min]. */
        public Builder stopGracePeriod(Duration grace) {
            this.stopGracePeriod = checkPositive(grace, "stopGracePeriod", Duration.ofMinutes(1));
            return this;
        }

        /** Use this prometheus binary instead of the one on the PATH. */
        public Builder prometheusBinary(Path binary) {
            this.prometheusBinary = Objects.requireNonNull(binary, "binary");
            return this;
        }

        /** Use this promtool binary instead of the one on the PATH. */
        public Builder promtoolBinary(Path binary) {
            this.promtoolBinary = Objects.requireNonNull(binary, "binary");
            return this;
        }

        /**
         * An extra command-line flag, e.g. {@code --query.lookback-delta=1m}. Flags that change where it listens
         * or stores data are refused.
         */
        public Builder extraArg(String flag) {
            Objects.requireNonNull(flag, "flag");
            if (!flag.startsWith("--") || flag.startsWith("--web.listen-address") || flag.startsWith("--config.file")
                    || flag.startsWith("--storage.tsdb.path")) {
                throw new IllegalArgumentException("unsupported extra flag: " + flag);
            }
            extraArgs.add(flag);
            return this;
        }

        /**
         * Creates the directory and config and runs the backfills; the process is not started yet.
         *
         * @throws IllegalStateException if prometheus or promtool is not installed
         */
        public LocalPrometheus build() {
            if (evaluationInterval == null) {
                evaluationInterval = scrapeInterval;
            }
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

        private static Duration checkInterval(Duration d, String what) {
            Objects.requireNonNull(d, what);
            if (d.compareTo(Duration.ofMillis(100)) < 0 || d.compareTo(Duration.ofMinutes(5)) > 0
                    || d.toNanos() % 1_000_000 != 0) {
                throw new IllegalArgumentException(what + " must be whole milliseconds in [100ms, 5m], got: " + d);
            }
            return d;
        }

        private static Duration checkPositive(Duration d, String what, Duration max) {
            Objects.requireNonNull(d, what);
            if (d.isNegative() || d.isZero() || d.compareTo(max) > 0) {
                throw new IllegalArgumentException(what + " must be in (0, " + max + "], got: " + d);
            }
            return d;
        }
    }
}
