package io.prodgate.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.exporter.httpserver.MetricsHandler;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A small instrumented HTTP service for the demo: one instance plays "stable", another "canary".
 *
 * <p>Binds 127.0.0.1 on an ephemeral port and exposes:
 *
 * <ul>
 *   <li>{@code GET /api/checkout} – sleeps a lognormal latency (capped), then answers 500 with probability
 *       {@link Behaviour#errorRate()}, else 200 JSON;
 *   <li>{@code GET /healthz} – 200 {@code {"status":"UP"}} or 503 {@code {"status":"DOWN"}};
 *   <li>{@code GET /version} – {@code {"version":"1.4.2"}};
 *   <li>{@code GET /metrics} – Prometheus exposition (text or OpenMetrics, negotiated) of this instance's own
 *       {@link PrometheusRegistry};
 *   <li>{@code GET|POST /admin/behaviour} – read or change the behaviour; the POST body is a JSON object
 *       with any of {@code version, errorRate, latencyMedianSeconds, latencySigma, healthy}; unknown fields
 *       or invalid values answer 400. The answer is the resulting behaviour as JSON.
 * </ul>
 *
 * <p>Metrics (only {@code /api/checkout} is counted): {@code http_requests_total{code="200"|"500"}} (both
 * series exist from the start, at 0), {@code http_request_duration_seconds} (classic histogram, buckets
 * 0.05 … 5), and {@code build_info{version}} = 1 (only the current version).
 */
public final class SampleService implements AutoCloseable {

    /** Upper bounds of the {@code http_request_duration_seconds} histogram. */
    public static final double[] LATENCY_BUCKETS = {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};

    public static final String CHECKOUT_PATH = "/api/checkout";
    public static final String HEALTH_PATH = "/healthz";
    public static final String VERSION_PATH = "/version";
    public static final String METRICS_PATH = "/metrics";
    public static final String ADMIN_BEHAVIOUR_PATH = "/admin/behaviour";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_ADMIN_BODY = 16 * 1024;
    private static final Set<String> ADMIN_FIELDS =
            Set.of("version", "errorRate", "latencyMedianSeconds", "latencySigma", "healthy");

    private final String name;
    private final int threads;
    private final Duration maxLatency;
    private final Random random;
    private final AtomicReference<Behaviour> behaviour;
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter requests;
    private final Histogram duration;
    private final Info buildInfo;
    private final AtomicLong orderIds = new AtomicLong();
    private final Object lifecycle = new Object();

    private HttpServer server;
    private ThreadPoolExecutor executor;
    private boolean closed;
    /** Every worker thread the executor made, so that close can wait until they have exited. */
    private final Queue<Thread> workers = new ConcurrentLinkedQueue<>();

    private SampleService(Builder b) {
        this.name = b.name;
        this.threads = b.threads;
        this.maxLatency = b.maxLatency;
        this.random = b.random != null ? b.random : new Random();
        this.behaviour = new AtomicReference<>(b.behaviour);
        this.requests =
                Counter.builder()
                        .name("http_requests_total")
                        .help("HTTP requests to /api/checkout by status code.")
                        .labelNames("code")
                        .register(registry);
        requests.initLabelValues("200");
        requests.initLabelValues("500");
        this.duration =
                Histogram.builder()
                        .name("http_request_duration_seconds")
                        .help("Duration of /api/checkout requests in seconds.")
                        .unit(null)
                        .classicOnly()
                        .classicUpperBounds(LATENCY_BUCKETS)
                        .register(registry);
        this.buildInfo =
                Info.builder().name("build_info").help("Build information; always 1.").labelNames("version").register(registry);
        buildInfo.setLabelValues(b.behaviour.version());
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Starts a service with the given behaviour and defaults otherwise. */
    public static SampleService start(String name, Behaviour behaviour) {
        return builder().name(name).behaviour(behaviour).build().start();
    }

    /**
     * Binds 127.0.0.1 on an ephemeral port and starts serving.
     *
     * @return this
     * @throws IllegalStateException if already started or closed
     * @throws UncheckedIOException if the server cannot bind
     */
    public SampleService start() {
        synchronized (lifecycle) {
            if (closed) {
                throw new IllegalStateException("SampleService " + name + " is closed");
            }
            if (server != null) {
                throw new IllegalStateException("SampleService " + name + " is already started");
            }
            HttpServer s;
            try {
                s = HttpServer.create(new InetSocketAddress(Loopback.address(), 0), 128);
            } catch (IOException e) {
                throw new UncheckedIOException("Could not bind sample service " + name + " on 127.0.0.1", e);
            }
            AtomicInteger n = new AtomicInteger();
            ThreadPoolExecutor ex =
                    new ThreadPoolExecutor(
                            threads,
                            threads,
                            30,
                            TimeUnit.SECONDS,
                            new LinkedBlockingQueue<>(),
                            r -> {
                                Thread t = new Thread(r, "sample-" + name + "-" + n.incrementAndGet());
                                t.setDaemon(true);
                                workers.add(t);
                                return t;
                            });
            ex.allowCoreThreadTimeOut(true);
            s.setExecutor(ex);
            s.createContext("/", exchange -> guarded(exchange, this::notFound));
            s.createContext(CHECKOUT_PATH, exchange -> guarded(exchange, this::checkout));
            s.createContext(HEALTH_PATH, exchange -> guarded(exchange, this::health));
            s.createContext(VERSION_PATH, exchange -> guarded(exchange, this::version));
            s.createContext(ADMIN_BEHAVIOUR_PATH, exchange -> guarded(exchange, this::admin));
            MetricsHandler metrics = new MetricsHandler(registry);
            s.createContext(METRICS_PATH, exchange -> guarded(exchange, ex2 -> {
                if (!exactPath(ex2, METRICS_PATH)) {
                    notFound(ex2);
                } else {
                    metrics.handle(ex2);
                }
            }));
            s.start();
            this.server = s;
            this.executor = ex;
            return this;
        }
    }

    /** The instance name given at build time (e.g. "stable", "canary"); used in thread names. */
    public String name() {
        return name;
    }

    /** The bound port. @throws IllegalStateException if not started */
    public int port() {
        synchronized (lifecycle) {
            if (server == null) {
                throw new IllegalStateException("SampleService " + name + " is not started");
            }
            return server.getAddress().getPort();
        }
    }

    /** {@code http://127.0.0.1:PORT} (no trailing slash). @throws IllegalStateException if not started */
    public String url() {
        return "http://" + Loopback.HOST + ":" + port();
    }

    /** {@code 127.0.0.1:PORT}, as used in a Prometheus scrape target. */
    public String hostPort() {
        return Loopback.HOST + ":" + port();
    }

    /** The current behaviour. */
    public Behaviour behaviour() {
        return behaviour.get();
    }

    /** Replaces the behaviour (same effect as {@code POST /admin/behaviour}); returns the previous one. */
    public Behaviour setBehaviour(Behaviour newBehaviour) {
        Objects.requireNonNull(newBehaviour, "behaviour");
        synchronized (behaviour) {
            Behaviour old = behaviour.getAndSet(newBehaviour);
            if (!old.version().equals(newBehaviour.version())) {
                buildInfo.setLabelValues(newBehaviour.version());
            }
            return old;
        }
    }

    /** Current value of {@code http_requests_total{code}} (code "200" or "500"). */
    public long requestCount(String code) {
        return (long) requests.labelValues(code).get();
    }

    /** Stops the server (without waiting for in-flight requests) and its executor threads. Idempotent. */
    @Override
    public void close() {
        HttpServer s;
        ThreadPoolExecutor ex;
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
            s = server;
            ex = executor;
        }
        if (s != null) {
            s.stop(0);
        }
        if (ex != null) {
            ex.shutdownNow();
            try {
                if (!ex.awaitTermination(5, TimeUnit.SECONDS)) {
                    System.err.println("sample service " + name + ": worker threads did not stop within 5 s");
                }
                // a terminated pool's last workers may still be exiting: wait until they are gone
                for (Thread t : workers) {
                    t.join(TimeUnit.SECONDS.toMillis(5));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString() {
        synchronized (lifecycle) {
            String where = server == null ? "not started" : "http://" + Loopback.HOST + ":" + server.getAddress().getPort();
            return "SampleService[" + name + ", " + where + ", " + behaviour.get() + "]";
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Handlers

    private interface Handler {
        void handle(HttpExchange exchange) throws Exception;
    }

    private void guarded(HttpExchange exchange, Handler handler) {
        try (exchange) {
            handler.handle(exchange);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            try {
                sendJson(exchange, 500, Map.of("error", "internal error: " + e.getClass().getSimpleName()));
            } catch (Exception ignored) {
                // The response may already be committed; nothing more to do.
            }
        }
    }

    private void checkout(HttpExchange exchange) throws IOException, InterruptedException {
        if (!exactPath(exchange, CHECKOUT_PATH)) {
            notFound(exchange);
            return;
        }
        if (!requireMethod(exchange, "GET")) {
            return;
        }
        long start = System.nanoTime();
        Behaviour b = behaviour.get();
        long sleepNanos = sampleLatencyNanos(b);
        if (sleepNanos > 0) {
            TimeUnit.NANOSECONDS.sleep(sleepNanos);
        }
        boolean fail = b.errorRate() > 0 && random.nextDouble() < b.errorRate();
        int code = fail ? 500 : 200;
        // Record before answering, so a client that got its answer also sees it counted.
        requests.labelValues(Integer.toString(code)).inc();
        duration.observe((System.nanoTime() - start) / 1e9);
        if (fail) {
            sendJson(exchange, 500, Map.of("error", "simulated failure", "version", b.version()));
        } else {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", "ok");
            body.put("orderId", orderIds.incrementAndGet());
            body.put("version", b.version());
            sendJson(exchange, 200, body);
        }
    }

    /** Lognormal latency: median * exp(sigma * Z), capped at maxLatency. */
    long sampleLatencyNanos(Behaviour b) {
        double seconds = b.latencyMedianSeconds();
        if (b.latencySigma() > 0) {
            seconds *= Math.exp(b.latencySigma() * random.nextGaussian());
        }
        double capped = Math.min(seconds, maxLatency.toNanos() / 1e9);
        return (long) (capped * 1e9);
    }

    private void health(HttpExchange exchange) throws IOException {
        if (!exactPath(exchange, HEALTH_PATH)) {
            notFound(exchange);
            return;
        }
        if (!requireMethod(exchange, "GET")) {
            return;
        }
        boolean up = behaviour.get().healthy();
        sendJson(exchange, up ? 200 : 503, Map.of("status", up ? "UP" : "DOWN"));
    }

    private void version(HttpExchange exchange) throws IOException {
        if (!exactPath(exchange, VERSION_PATH)) {
            notFound(exchange);
            return;
        }
        if (!requireMethod(exchange, "GET")) {
            return;
        }
        sendJson(exchange, 200, Map.of("version", behaviour.get().version()));
    }

    private void admin(HttpExchange exchange) throws IOException {
        if (!exactPath(exchange, ADMIN_BEHAVIOUR_PATH)) {
            notFound(exchange);
            return;
        }
        String method = exchange.getRequestMethod();
        if (method.equals("GET")) {
            sendJson(exchange, 200, toJson(behaviour.get()));
            return;
        }
        if (!requireMethod(exchange, "POST")) {
            return;
        }
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readNBytes(MAX_ADMIN_BODY + 1);
        }
        if (body.length > MAX_ADMIN_BODY) {
            sendJson(exchange, 413, Map.of("error", "body too large"));
            return;
        }
        Behaviour updated;
        synchronized (behaviour) {
            try {
                updated = apply(behaviour.get(), body);
            } catch (IllegalArgumentException e) {
                sendJson(exchange, 400, Map.of("error", String.valueOf(e.getMessage())));
                return;
            }
            setBehaviour(updated);
        }
        sendJson(exchange, 200, toJson(updated));
    }

    /** Applies a JSON patch such as {@code {"version":"1.4.2","errorRate":0}} to {@code current}. */
    static Behaviour apply(Behaviour current, byte[] jsonBody) {
        JsonNode node;
        try {
            node = JSON.readTree(jsonBody);
        } catch (IOException e) {
            throw new IllegalArgumentException("body is not valid JSON");
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("body must be a JSON object");
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!ADMIN_FIELDS.contains(field)) {
                throw new IllegalArgumentException("unknown field '" + field + "'; allowed: " + ADMIN_FIELDS);
            }
        }
        Behaviour.Builder b = current.toBuilder();
        if (node.has("version")) {
            JsonNode v = node.get("version");
            if (!v.isTextual()) {
                throw new IllegalArgumentException("version must be a string");
            }
            b.version(v.asText());
        }
        if (node.has("errorRate")) {
            b.errorRate(number(node, "errorRate"));
        }
        if (node.has("latencyMedianSeconds")) {
            b.latencyMedianSeconds(number(node, "latencyMedianSeconds"));
        }
        if (node.has("latencySigma")) {
            b.latencySigma(number(node, "latencySigma"));
        }
        if (node.has("healthy")) {
            JsonNode h = node.get("healthy");
            if (!h.isBoolean()) {
                throw new IllegalArgumentException("healthy must be true or false");
            }
            b.healthy(h.asBoolean());
        }
        return b.build();
    }

    private static double number(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (!v.isNumber()) {
            throw new IllegalArgumentException(field + " must be a number");
        }
        return v.asDouble();
    }

    static Map<String, Object> toJson(Behaviour b) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", b.version());
        m.put("errorRate", b.errorRate());
        m.put("latencyMedianSeconds", b.latencyMedianSeconds());
        m.put("latencySigma", b.latencySigma());
        m.put("healthy", b.healthy());
        return m;
    }

    private void notFound(HttpExchange exchange) throws IOException {
        drain(exchange);
        sendJson(exchange, 404, Map.of("error", "not found"));
    }

    private static boolean exactPath(HttpExchange exchange, String path) {
        String p = exchange.getRequestURI().getPath();
        return p.equals(path) || p.equals(path + "/");
    }

    private static boolean requireMethod(HttpExchange exchange, String method) throws IOException {
        String m = exchange.getRequestMethod();
        if (m.equals(method)) {
            return true;
        }
        drain(exchange);
        exchange.getResponseHeaders().set("Allow", method);
        sendJson(exchange, 405, Map.of("error", "method not allowed"));
        return false;
    }

    private static void drain(HttpExchange exchange) throws IOException {
        // Not InputStream.skip: the JDK server's fixed-length stream delegates skip() to the socket and blocks.
        try (InputStream in = exchange.getRequestBody()) {
            in.readNBytes(MAX_ADMIN_BODY);
        }
    }

    private static void sendJson(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes = JSON.writeValueAsString(body).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    // ---------------------------------------------------------------------------------------------

    /** Builder; every setting has a default. */
    public static final class Builder {
        private String name = "sample";
        private Behaviour behaviour = Behaviour.defaults();
        private Random random;
        private int threads = 32;
        private Duration maxLatency = Duration.ofSeconds(3);

        private Builder() {}

        /** Instance name, e.g. "stable" or "canary" (default "sample"). */
        public Builder name(String name) {
            if (name == null || !name.matches("[A-Za-z0-9._-]{1,40}")) {
                throw new IllegalArgumentException("name must be 1-40 characters of [A-Za-z0-9._-], got: " + name);
            }
            this.name = name;
            return this;
        }

        /** Initial behaviour (default {@link Behaviour#defaults()}). */
        public Builder behaviour(Behaviour behaviour) {
            this.behaviour = Objects.requireNonNull(behaviour, "behaviour");
            return this;
        }

        /** Source of randomness for latency and errors; pass a seeded one in tests (default: unseeded). */
        public Builder random(Random random) {
            this.random = Objects.requireNonNull(random, "random");
            return this;
        }

        /** Convenience for {@code random(new Random(seed))}. */
        public Builder seed(long seed) {
            return random(new Random(seed));
        }

        /** Worker threads serving requests, 1-256 (default 32); extra requests queue. */
        public Builder threads(int threads) {
            if (threads < 1 || threads > 256) {
                throw new IllegalArgumentException("threads must be in [1, 256], got: " + threads);
            }
            this.threads = threads;
            return this;
        }

        /** Cap on the simulated checkout latency, (0, 30 s] (default 3 s). */
        public Builder maxLatency(Duration maxLatency) {
            Objects.requireNonNull(maxLatency, "maxLatency");
            if (maxLatency.isNegative() || maxLatency.isZero() || maxLatency.compareTo(Duration.ofSeconds(30)) > 0) {
                throw new IllegalArgumentException("maxLatency must be in (0, 30s], got: " + maxLatency);
            }
            this.maxLatency = maxLatency;
            return this;
        }

        /** Builds an unstarted service; call {@link SampleService#start()}. */
        public SampleService build() {
            return new SampleService(this);
        }
    }
}
