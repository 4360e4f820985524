package io.prodgate.testkit;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import okhttp3.Call;
import okhttp3.ConnectionPool;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Sends {@code GET /api/checkout} requests to weighted loopback targets at a steady total rate.
 *
 * <p>Bounded twice: it stops after {@link Builder#maxRequests(long)} requests have been sent or after
 * {@link Builder#maxDuration(Duration)}, whichever comes first (or on {@link #stop()}). A pacing thread
 * schedules one request every {@code 1/rate} seconds and hands it to a small fixed pool of
 * {@link Builder#concurrency(int)} workers; if all workers are busy the slot is skipped and counted as
 * dropped (so slow targets never build an unbounded backlog). Targets are picked by smooth weighted
 * round-robin, so an 80/20 split is exact over every 5 requests.
 *
 * <p>The split can change while it runs ({@link #setWeight(String, double)}, {@link #setWeights(Map)}), as a load
 * balancer's weights do: the very next request follows the new weights, and the round-robin starts afresh from them,
 * so the new split is exact again from the change on. A weight of 0 sends a target nothing.
 *
 * <p>Only loopback URLs are accepted.
 */
public final class LoadGenerator implements AutoCloseable {

    /** Hard upper bounds, whatever the caller asks for. */
    public static final long MAX_REQUESTS_LIMIT = 1_000_000;

    public static final Duration MAX_DURATION_LIMIT = Duration.ofHours(1);
    public static final double MAX_RATE_LIMIT = 1_000;
    public static final int MAX_CONCURRENCY_LIMIT = 256;
    /** Per request, connecting to reading the answer. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);

    /**
     * A weighted target.
     *
     * @param name label for statistics, e.g. "stable"
     * @param baseUrl loopback base URL such as {@code http://127.0.0.1:8080}
     * @param weight relative weight at build time, &gt; 0 (later changes live in {@link Weights})
     */
    private record Target(String name, URI baseUrl, double weight) {
        Target {
            Objects.requireNonNull(name, "name");
            Loopback.requireLoopbackUrl(baseUrl);
            if (!(weight > 0) || Double.isInfinite(weight)) {
                throw new IllegalArgumentException("weight must be > 0, got: " + weight);
            }
        }
    }

    private enum State { NEW, RUNNING, DONE }

    /**
     * One immutable set of weights, by target index. Replaced as a whole on every change, so that the pacer reads a
     * consistent set without a lock, and notices a change by identity.
     */
    private record Weights(double[] values, double total) {}

    /**
     * Where the pacer reads the time and waits for the next slot: the system's monotonic clock, or a test's, so that a
     * test of the pacing does not depend on how promptly a loaded machine runs the pacer thread.
     */
    interface Ticker {
        Ticker SYSTEM = new Ticker() {
            @Override
            public long nanoTime() {
                return System.nanoTime();
            }

            @Override
            public void parkNanos(long nanos) {
                LockSupport.parkNanos(nanos);
            }
        };

        long nanoTime();

        /** Waits about {@code nanos}; may return early (an interrupt, a spurious wake-up): the pacer looks again. */
        void parkNanos(long nanos);
    }

    private final List<Target> targets;
    private final List<URI> urls;
    private final double rate;
    private final int concurrency;
    private final Duration maxDuration;
    private final long maxRequests;
    private final Ticker ticker;
    private final OkHttpClient client;
    private final ThreadPoolExecutor workers;
    private final Semaphore slots;
    private final Set<Call> inFlight = ConcurrentHashMap.newKeySet();
    private final CountDownLatch finished = new CountDownLatch(1);

    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong succeeded = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final Map<String, AtomicLong> sentByTarget = new LinkedHashMap<>();
    private final Map<String, AtomicLong> failedByTarget = new LinkedHashMap<>();
    /** How many targets bear each name (usually one). */
    private final Map<String, Integer> targetsNamed = new LinkedHashMap<>();
    /** The smooth weighted round-robin's running state; touched by the pacer thread only. */
    private final double[] currentWeights;
    private final Object weightsLock = new Object();
    private volatile Weights weights;
    /** The weights {@link #currentWeights} were built from; the pacer's, like {@link #currentWeights}. */
    private Weights pickedWith;

    private final Object lock = new Object();
    private State state = State.NEW;
    private volatile boolean stopRequested;
    private Thread pacer;

    private LoadGenerator(Builder b) {
        if (b.targets.isEmpty()) {
            throw new IllegalArgumentException("at least one target is required");
        }
        this.targets = List.copyOf(b.targets);
        List<URI> u = new ArrayList<>();
        double[] initial = new double[targets.size()];
        double total = 0;
        for (int i = 0; i < targets.size(); i++) {
            Target t = targets.get(i);
            String base = t.baseUrl().toString();
            while (base.endsWith("/")) {
                base = base.substring(0, base.length() - 1);
            }
            u.add(Loopback.requireLoopbackUrl(base + SampleService.CHECKOUT_PATH));
            initial[i] = t.weight();
            total += t.weight();
            sentByTarget.putIfAbsent(t.name(), new AtomicLong());
            failedByTarget.putIfAbsent(t.name(), new AtomicLong());
            targetsNamed.merge(t.name(), 1, Integer::sum);
        }
        this.urls = List.copyOf(u);
        if (!Double.isFinite(total)) {
            throw new IllegalArgumentException("the weights' total must be finite, got: " + total);
        }
        this.weights = new Weights(initial, total);
        this.currentWeights = new double[targets.size()];
        this.rate = b.rate;
        this.concurrency = b.concurrency;
        this.maxDuration = b.maxDuration;
        this.maxRequests = b.maxRequests;
        this.ticker = b.ticker;
        this.slots = new Semaphore(concurrency);
        this.client =
                new OkHttpClient.Builder()
                        .connectTimeout(REQUEST_TIMEOUT)
                        .readTimeout(REQUEST_TIMEOUT)
                        .callTimeout(REQUEST_TIMEOUT)
                        .followRedirects(false)
                        .followSslRedirects(false)
                        .connectionPool(new ConnectionPool(concurrency, 30, TimeUnit.SECONDS))
                        .build();
        AtomicInteger n = new AtomicInteger();
        this.workers =
                new ThreadPoolExecutor(
                        concurrency,
                        concurrency,
                        10,
                        TimeUnit.SECONDS,
                        new LinkedBlockingQueue<>(),
                        r -> {
                            Thread t = new Thread(r, "loadgen-worker-" + n.incrementAndGet());
                            t.setDaemon(true);
                            return t;
                        });
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts sending in the background.
     *
     * @return this
     * @throws IllegalStateException if already started
     */
    public LoadGenerator start() {
        synchronized (lock) {
            if (state != State.NEW) {
                throw new IllegalStateException("LoadGenerator can only be started once");
            }
            state = State.RUNNING;
            pacer = new Thread(this::pace, "loadgen-pacer");
            pacer.setDaemon(true);
            pacer.start();
            return this;
        }
    }

    /** Stops sending, cancels in-flight requests and waits (briefly) for the workers. Idempotent. */
    public void stop() {
        Thread p;
        synchronized (lock) {
            stopRequested = true;
            if (state == State.NEW) {
                state = State.DONE;
                shutdownResources();
                finished.countDown();
                return;
            }
            p = pacer;
        }
        if (p != null) {
            p.interrupt();
        }
        for (Call c : inFlight) {
            c.cancel();
        }
        try {
            if (!finished.await(5, TimeUnit.SECONDS)) {
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Same as {@link #stop()}. */
    @Override
    public void close() {
        stop();
    }

    /**
     * Waits until the generator has finished on its own (count or duration reached) or was stopped.
     *
     * @return true if finished, false on timeout
     */
    public boolean awaitCompletion(Duration timeout) throws InterruptedException {
        return finished.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** True between {@link #start()} and the moment all requests are done. */
    public boolean isRunning() {
        synchronized (lock) {
            return state == State.RUNNING;
        }
    }

    /** Requests handed to a worker (counts towards {@code maxRequests}). */
    public long sent() {
        return sent.get();
    }

    /** Requests answered with a 2xx status. */
    public long succeeded() {
        return succeeded.get();
    }

    /** Requests that got a non-2xx status, timed out or hit an I/O error. */
    public long failed() {
        return failed.get();
    }

    /** Slots skipped because every worker was busy. */
    public long dropped() {
        return dropped.get();
    }

    /**
     * Sets one target's weight while the generator runs (or before it starts); the next request follows it. Same as
     * {@code setWeights(Map.of(target, weight))}.
     *
     * @param target a target's name, as given to the builder
     * @param weight relative weight, finite and &gt;= 0; 0 sends the target nothing
     * @return the weights now in force, as {@link #weights()}
     * @throws IllegalArgumentException if the target is unknown, the weight is negative or not finite, or no target
     *     would keep a positive weight
     */
    public Map<String, Double> setWeight(String target, double weight) {
        return setWeights(Map.of(Objects.requireNonNull(target, "target"), weight));
    }

    /**
     * Sets several targets' weights at once, atomically: no request is ever sent by a mix of old and new weights, so
     * traffic can move from one target to another in one step (say 100/0 to 0/100) without passing an all-zero split.
     * Targets not named keep their weight. Thread-safe; the next request follows the new weights.
     *
     * <p>Several targets of the same name (the builder allows it; their statistics are merged) share that name's
     * weight equally, so that {@link #weights()} reports back what was set.
     *
     * @param newWeights relative weights by target name, each finite and &gt;= 0
     * @return the weights now in force, as {@link #weights()}
     * @throws IllegalArgumentException if a target is unknown, a weight negative or not finite, or no target would
     *     keep a positive weight; then nothing changes
     */
    public Map<String, Double> setWeights(Map<String, Double> newWeights) {
        Objects.requireNonNull(newWeights, "weights");
        for (Map.Entry<String, Double> e : newWeights.entrySet()) {
            if (!sentByTarget.containsKey(e.getKey())) {
                throw new IllegalArgumentException("unknown target '" + e.getKey() + "'; targets: "
                        + sentByTarget.keySet());
            }
            Double w = e.getValue();
            if (w == null || !(w >= 0) || Double.isInfinite(w)) {
                throw new IllegalArgumentException("weight of '" + e.getKey() + "' must be finite and >= 0, got: " + w);
            }
        }
        synchronized (weightsLock) {
            double[] values = weights.values().clone();
            double total = 0;
            for (int i = 0; i < values.length; i++) {
                String name = targets.get(i).name();
                Double w = newWeights.get(name);
                if (w != null) {
                    values[i] = w / targetsNamed.get(name);
                }
                total += values[i];
            }
            if (!(total > 0)) {
                throw new IllegalArgumentException("at least one target must keep a positive weight, got: " + newWeights);
            }
            if (!Double.isFinite(total)) {
                throw new IllegalArgumentException("the weights' total must be finite, got: " + newWeights);
            }
            // The same weights again are no change: restarting the round-robin on every repeat could starve a small
            // share (at 99/1 the canary's turn comes 51st in each cycle of 100).
            if (!Arrays.equals(values, weights.values())) {
                weights = new Weights(values, total);
            }
            return weights();
        }
    }

    /** The weights now in force by target name, in target order (several targets of one name: their sum). */
    public Map<String, Double> weights() {
        Weights w = weights;
        Map<String, Double> out = new LinkedHashMap<>();
        for (int i = 0; i < targets.size(); i++) {
            out.merge(targets.get(i).name(), w.values()[i], Double::sum);
        }
        return Collections.unmodifiableMap(out);
    }

    /** Requests sent per target name, in target order. */
    public Map<String, Long> sentByTarget() {
        return snapshot(sentByTarget);
    }

    /** Failed requests per target name, in target order. */
    public Map<String, Long> failedByTarget() {
        return snapshot(failedByTarget);
    }

    @Override
    public String toString() {
        return "LoadGenerator[sent=" + sent() + ", succeeded=" + succeeded() + ", failed=" + failed()
                + ", dropped=" + dropped() + ", byTarget=" + sentByTarget() + ", weights=" + weights() + "]";
    }

    private static Map<String, Long> snapshot(Map<String, AtomicLong> m) {
        Map<String, Long> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(k, v.get()));
        return Collections.unmodifiableMap(out);
    }

    // ---------------------------------------------------------------------------------------------

    private void pace() {
        long startNs = ticker.nanoTime();
        long deadlineNs = startNs + maxDuration.toNanos();
        double intervalNs = 1e9 / rate;
        try {
            for (long slot = 0; !stopRequested && sent.get() < maxRequests; slot++) {
                long dueNs = startNs + (long) (slot * intervalNs);
                if (dueNs - deadlineNs >= 0) {
                    break;
                }
                long waitNs;
                while (!stopRequested && (waitNs = dueNs - ticker.nanoTime()) > 0) {
                    ticker.parkNanos(waitNs);
                    if (Thread.interrupted()) {
                        stopRequested = true;
                    }
                }
                if (stopRequested || ticker.nanoTime() - deadlineNs >= 0) {
                    break;
                }
                if (!slots.tryAcquire()) {
                    dropped.incrementAndGet();
                    continue;
                }
                int i = pickTarget();
                sent.incrementAndGet();
                sentByTarget.get(targets.get(i).name()).incrementAndGet();
                try {
                    workers.execute(() -> send(i));
                } catch (RuntimeException e) {
                    slots.release();
                    failed.incrementAndGet();
                    break;
                }
            }
        } finally {
            // Wait for in-flight requests (each bounded by the request timeout), then release everything.
            workers.shutdown();
            try {
                if (!workers.awaitTermination(30, TimeUnit.SECONDS)) {
                    for (Call c : inFlight) {
                        c.cancel();
                    }
                    workers.shutdownNow();
                }
            } catch (InterruptedException e) {
                workers.shutdownNow();
            }
            synchronized (lock) {
                state = State.DONE;
            }
            shutdownResources();
            finished.countDown();
        }
    }

    /**
     * Smooth weighted round-robin (as in nginx): deterministic and evenly interleaved. After a change of weights it
     * starts afresh, so that credit a target built up under the old weights cannot earn it a request it no longer
     * has a weight for (a target set to 0 gets nothing from then on).
     */
    private int pickTarget() {
        Weights w = weights;
        if (w != pickedWith) {
            Arrays.fill(currentWeights, 0);
            pickedWith = w;
        }
        double[] values = w.values();
        int best = -1;
        for (int i = 0; i < currentWeights.length; i++) {
            currentWeights[i] += values[i];
            if (values[i] > 0 && (best < 0 || currentWeights[i] > currentWeights[best])) {
                best = i;
            }
        }
        currentWeights[best] -= w.total();
        return best;
    }

    private void send(int i) {
        String name = targets.get(i).name();
        Request request =
                new Request.Builder().url(urls.get(i).toString()).header("User-Agent", "prodgate-demo-loadgen").get().build();
        Call call = client.newCall(request);
        inFlight.add(call);
        try {
            if (stopRequested) {
                call.cancel();
            }
            try (Response response = call.execute()) {
                if (response.body() != null) {
                    response.body().bytes();
                }
                if (response.isSuccessful()) {
                    succeeded.incrementAndGet();
                } else {
                    fail(name);
                }
            }
        } catch (IOException | RuntimeException e) {
            fail(name);
        } finally {
            inFlight.remove(call);
            slots.release();
        }
    }

    private void fail(String name) {
        failed.incrementAndGet();
        failedByTarget.get(name).incrementAndGet();
    }

    private void shutdownResources() {
        workers.shutdownNow();
        client.connectionPool().evictAll();
    }

    // ---------------------------------------------------------------------------------------------

    /** Builder. Defaults: 40 req/s, 8 workers, at most 60 s and 10 000 requests. */
    public static final class Builder {
        private final List<Target> targets = new ArrayList<>();
        private double rate = 40;
        private int concurrency = 8;
        private Duration maxDuration = Duration.ofSeconds(60);
        private long maxRequests = 10_000;
        private Ticker ticker = Ticker.SYSTEM;

        private Builder() {}

        /**
         * Adds a target.
         *
         * @param name statistics label, e.g. "canary"
         * @param baseUrl loopback base URL, e.g. {@code http://127.0.0.1:8080}
         * @param weight relative weight &gt; 0
         * @throws IllegalArgumentException if the URL is not a loopback http(s) URL
         */
        public Builder target(String name, String baseUrl, double weight) {
            targets.add(new Target(name, Loopback.requireLoopbackUrl(baseUrl), weight));
            return this;
        }

        /** Adds a target named after its URL. */
        public Builder target(String baseUrl, double weight) {
            return target(baseUrl, baseUrl, weight);
        }

        /** Adds a running sample service as a target, named after it. */
        public Builder target(SampleService service, double weight) {
            return target(service.name(), service.url(), weight);
        }

        /** Total requests per second over all targets, in (0, 1000]. */
        public Builder ratePerSecond(double rate) {
            if (!(rate > 0 && rate <= MAX_RATE_LIMIT)) {
                throw new IllegalArgumentException("rate must be in (0, " + MAX_RATE_LIMIT + "], got: " + rate);
            }
            this.rate = rate;
            return this;
        }

        /** Worker threads (= maximum requests in flight), in [1, 256]. */
        public Builder concurrency(int concurrency) {
            if (concurrency < 1 || concurrency > MAX_CONCURRENCY_LIMIT) {
                throw new IllegalArgumentException("concurrency must be in [1, " + MAX_CONCURRENCY_LIMIT + "], got: " + concurrency);
            }
            this.concurrency = concurrency;
            return this;
        }

        /** Stop sending after this long, in (0, 1 h]. */
        public Builder maxDuration(Duration maxDuration) {
            Objects.requireNonNull(maxDuration, "maxDuration");
            if (maxDuration.isNegative() || maxDuration.isZero() || maxDuration.compareTo(MAX_DURATION_LIMIT) > 0) {
                throw new IllegalArgumentException("maxDuration must be in (0, 1h], got: " + maxDuration);
            }
            this.maxDuration = maxDuration;
            return this;
        }

        /** Stop after sending this many requests, in [1, 1 000 000]. */
        public Builder maxRequests(long maxRequests) {
            if (maxRequests < 1 || maxRequests > MAX_REQUESTS_LIMIT) {
                throw new IllegalArgumentException("maxRequests must be in [1, " + MAX_REQUESTS_LIMIT + "], got: " + maxRequests);
            }
            this.maxRequests = maxRequests;
            return this;
        }

        /** The pacer's clock (default: the system's). */
        Builder ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        public LoadGenerator build() {
            return new LoadGenerator(this);
        }

        /** Builds and starts. */
        public LoadGenerator start() {
            return build().start();
        }
    }
}
