package io.prodgate.testkit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleConsumer;

/**
 * The demo's load balancer admin API: splits the user traffic of a {@link LoadGenerator} between a stable and a
 * canary target, in percent, and lets a gate file's traffic action (an HTTP call) shift it, as it would on a real
 * load balancer.
 *
 * <p>Binds 127.0.0.1 on an ephemeral port and exposes one resource, {@value #WEIGHTS_PATH}:
 *
 * <ul>
 *   <li>{@code GET /admin/weights} – the split now in force, e.g. {@code {"stable":90.0,"canary":10.0}};
 *   <li>{@code POST /admin/weights} with a JSON object naming one target and its percent of the traffic, e.g.
 *       {@code {"canary":10}} (the other target gets the rest, here 90 %); answers 200 with the resulting split as
 *       above. A body that is not such an object, a value that is not a number or outside 0..100, or an unknown
 *       target answers 400 {@code {"error":"..."}} and changes nothing; a body over {@value #MAX_BODY} bytes 413.
 * </ul>
 *
 * <p>The split belongs to the splitter, not to a generator, as a load balancer's weights outlive the clients: a
 * generator {@link #attach(LoadGenerator) attached} later (the demo restarts its traffic between stages) starts
 * with the split in force, and every change applies to the attached generator at once.
 */
public final class TrafficSplitter implements AutoCloseable {

    public static final String WEIGHTS_PATH = "/admin/weights";
    /** Far more than {@code {"canary":12.5}} needs; bounds what a caller can make the server read. */
    public static final int MAX_BODY = 4 * 1024;

    /** Strict, so that {@code {"canary":1,"canary":50}} or {@code {"canary":1} 50} cannot mean something unintended. */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final String stable;
    private final String canary;
    private final Object lock = new Object();
    /** The canary's percent of the traffic, in [0, 100]; guarded by {@link #lock}. */
    private double canaryPercent;
    private LoadGenerator attached;
    private boolean closed;
    /** The canary's percent set by each accepted POST, in order; guarded by {@link #lock}. */
    private final List<Double> posted = new ArrayList<>();
    /** Every POST received, accepted or refused. */
    private final AtomicLong posts = new AtomicLong();
    private volatile DoubleConsumer onPost = percent -> { };
    private HttpServer server;
    private ThreadPoolExecutor executor;
    private final Queue<Thread> workers = new ConcurrentLinkedQueue<>();

    private TrafficSplitter(String stable, String canary, double canaryPercent) {
        this.stable = requireName(stable, "stable");
        this.canary = requireName(canary, "canary");
        if (stable.equals(canary)) {
            throw new IllegalArgumentException("the stable and the canary target need different names, got: " + stable);
        }
        this.canaryPercent = requirePercent(canary, canaryPercent);
    }

    /**
     * Starts the admin endpoint on 127.0.0.1 (ephemeral port).
     *
     * @param stable the stable target's name in the generators to attach, e.g. "stable"
     * @param canary the canary target's name, e.g. "canary"
     * @param canaryPercent the canary's initial share of the traffic, in [0, 100]
     * @throws UncheckedIOException if the server cannot bind
     */
    public static TrafficSplitter start(String stable, String canary, double canaryPercent) {
        TrafficSplitter s = new TrafficSplitter(stable, canary, canaryPercent);
        s.serve();
        return s;
    }

    private void serve() {
        HttpServer s;
        try {
            s = HttpServer.create(new InetSocketAddress(Loopback.address(), 0), 16);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not bind the traffic splitter on 127.0.0.1", e);
        }
        AtomicInteger n = new AtomicInteger();
        // Two threads: admin calls are rare and quick; a second one keeps a GET answering beside a slow client.
        ThreadPoolExecutor ex =
                new ThreadPoolExecutor(2, 2, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "traffic-splitter-" + n.incrementAndGet());
                    t.setDaemon(true);
                    workers.add(t);
                    return t;
                });
        ex.allowCoreThreadTimeOut(true);
        s.setExecutor(ex);
        s.createContext("/", exchange -> guarded(exchange, TrafficSplitter::notFound));
        s.createContext(WEIGHTS_PATH, exchange -> guarded(exchange, this::weights));
        s.start();
        synchronized (lock) {
            server = s;
            executor = ex;
        }
    }

    /** The bound port. */
    public int port() {
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("the traffic splitter is closed");
            }
            return server.getAddress().getPort();
        }
    }

    /** {@code http://127.0.0.1:PORT} (no trailing slash). */
    public String url() {
        return "http://" + Loopback.HOST + ":" + port();
    }

    /** {@code http://127.0.0.1:PORT/admin/weights}, the URL a traffic action calls. */
    public String weightsUrl() {
        return url() + WEIGHTS_PATH;
    }

    public String stableTarget() {
        return stable;
    }

    public String canaryTarget() {
        return canary;
    }

    /** The canary's share of the traffic now in force, in percent. */
    public double canaryPercent() {
        synchronized (lock) {
            return canaryPercent;
        }
    }

    /** The split now in force in percent by target, stable first, e.g. {@code {stable=90.0, canary=10.0}}. */
    public Map<String, Double> split() {
        synchronized (lock) {
            return splitOf(canaryPercent);
        }
    }

    /**
     * Shifts the traffic (same effect as {@code POST /admin/weights {"canary": percent}}): the attached generator, if
     * any, follows from its next request on.
     *
     * @return the split now in force, as {@link #split()}
     * @throws IllegalArgumentException if {@code percent} is not in [0, 100]
     */
    public Map<String, Double> setCanaryPercent(double percent) {
        requirePercent(canary, percent);
        synchronized (lock) {
            if (attached != null) {
                // The percentages are the weights (100 - p and p: never both 0), set at once, never half-shifted.
                attached.setWeights(splitOf(percent));
            }
            canaryPercent = percent;
            return splitOf(percent);
        }
    }

    /**
     * How many POSTs the admin endpoint received, accepted or refused: what a caller (a gate's traffic action) asked
     * of the load balancer, as its access log would say.
     */
    public long posts() {
        return posts.get();
    }

    /** The canary's percent that each accepted POST set, in order (not the changes made by {@link #setCanaryPercent}). */
    public List<Double> postedShifts() {
        synchronized (lock) {
            return List.copyOf(posted);
        }
    }

    /**
     * Calls {@code listener} with the canary's percent after each accepted POST, once the split is in force and before
     * the POST is answered: a test can change what the canary does exactly when a shift arrives. Replaces the previous
     * listener; it runs on the endpoint's thread, so it must be quick.
     */
    public void onPost(DoubleConsumer listener) {
        this.onPost = Objects.requireNonNull(listener, "listener");
    }

    /**
     * Makes {@code generator} the one whose traffic this splitter shifts (replacing the previous one) and gives it
     * the split in force at once; call it before {@link LoadGenerator#start()} to have the split from the first
     * request on.
     *
     * @throws IllegalArgumentException if the generator's targets are not exactly the stable and the canary one
     */
    public void attach(LoadGenerator generator) {
        Objects.requireNonNull(generator, "generator");
        if (!generator.weights().keySet().equals(Set.of(stable, canary))) {
            throw new IllegalArgumentException("the traffic splitter splits between '" + stable + "' and '" + canary
                    + "', the generator's targets are " + generator.weights().keySet());
        }
        synchronized (lock) {
            generator.setWeights(splitOf(canaryPercent));
            attached = generator;
        }
    }

    /** Stops the server and its threads; the attached generator keeps its last split. Idempotent. */
    @Override
    public void close() {
        HttpServer s;
        ThreadPoolExecutor ex;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            attached = null;
            s = server;
            ex = executor;
        }
        if (s != null) {
            s.stop(0);
        }
        if (ex != null) {
            ex.shutdownNow();
            try {
                ex.awaitTermination(5, TimeUnit.SECONDS);
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
        return "TrafficSplitter[" + split() + "]";
    }

    // ---------------------------------------------------------------------------------------------

    private Map<String, Double> splitOf(double percent) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put(stable, 100 - percent);
        m.put(canary, percent);
        return Collections.unmodifiableMap(m);
    }

    /**
     * Reads a POST body such as {@code {"canary":10}} or {@code {"stable":90}}.
     *
     * @return the canary's percent it asks for
     * @throws IllegalArgumentException with a message for the caller if the body is not such an object
     */
    static double parseCanaryPercent(byte[] body, String stable, String canary) {
        String example = "e.g. {\"" + canary + "\":10} for 10 % of the traffic to " + canary + ", the rest to " + stable;
        JsonNode node;
        try {
            node = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            // The parser's own words (a duplicate field, trailing text, ...), without its location noise.
            throw new IllegalArgumentException("body is not valid JSON (" + e.getOriginalMessage()
                    + "); expected an object, " + example);
        } catch (IOException e) {
            throw new IllegalArgumentException("body is not valid JSON; expected an object, " + example);
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("body must be a JSON object, " + example);
        }
        if (node.size() != 1) {
            throw new IllegalArgumentException("body must name exactly one target with its percent, " + example
                    + "; got " + node.size() + " fields");
        }
        Map.Entry<String, JsonNode> field = node.properties().iterator().next();
        String target = field.getKey();
        if (!target.equals(stable) && !target.equals(canary)) {
            throw new IllegalArgumentException("unknown target '" + target + "'; targets: " + List.of(stable, canary));
        }
        JsonNode value = field.getValue();
        if (!value.isNumber()) {
            throw new IllegalArgumentException("'" + target + "' must be a number of percent in [0, 100], got: "
                    + value);
        }
        double percent = requirePercent(target, value.asDouble());
        return target.equals(canary) ? percent : 100 - percent;
    }

    private static double requirePercent(String target, double percent) {
        if (!(percent >= 0 && percent <= 100)) {
            throw new IllegalArgumentException("'" + target + "' must be in [0, 100] percent, got: " + percent);
        }
        return percent;
    }

    private static String requireName(String name, String what) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("the " + what + " target's name must not be blank");
        }
        return name;
    }

    // ---------------------------------------------------------------------------------------------
    // HTTP, in the style of SampleService's admin endpoint

    private interface Handler {
        void handle(HttpExchange exchange) throws Exception;
    }

    private static void guarded(HttpExchange exchange, Handler handler) {
        try (exchange) {
            handler.handle(exchange);
        } catch (Exception e) {
            try {
                sendJson(exchange, 500, Map.of("error", "internal error: " + e.getClass().getSimpleName()));
            } catch (Exception ignored) {
                // The response may already be committed; nothing more to do.
            }
        }
    }

    private void weights(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        if (!path.equals(WEIGHTS_PATH) && !path.equals(WEIGHTS_PATH + "/")) {
            notFound(exchange);
            return;
        }
        String method = exchange.getRequestMethod();
        if (method.equals("GET")) {
            drain(exchange);
            sendJson(exchange, 200, split());
            return;
        }
        if (!method.equals("POST")) {
            drain(exchange);
            exchange.getResponseHeaders().set("Allow", "GET, POST");
            sendJson(exchange, 405, Map.of("error", "method not allowed; GET or POST " + WEIGHTS_PATH));
            return;
        }
        posts.incrementAndGet();
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readNBytes(MAX_BODY + 1);
        }
        if (body.length > MAX_BODY) {
            sendJson(exchange, 413, Map.of("error", "body too large (at most " + MAX_BODY + " bytes)"));
            return;
        }
        Map<String, Double> split;
        double percent;
        try {
            percent = parseCanaryPercent(body, stable, canary);
            synchronized (lock) {
                split = setCanaryPercent(percent);
                posted.add(percent);
            }
        } catch (IllegalArgumentException e) {
            sendJson(exchange, 400, Map.of("error", String.valueOf(e.getMessage())));
            return;
        }
        onPost.accept(percent);
        sendJson(exchange, 200, split);
    }

    private static void notFound(HttpExchange exchange) throws IOException {
        drain(exchange);
        sendJson(exchange, 404, Map.of("error", "not found; the traffic split is at " + WEIGHTS_PATH));
    }

    private static void drain(HttpExchange exchange) throws IOException {
        // Not InputStream.skip: the JDK server's fixed-length stream delegates skip() to the socket and blocks.
        try (InputStream in = exchange.getRequestBody()) {
            in.readNBytes(MAX_BODY);
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
}
