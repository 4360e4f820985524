package io.prodgate.demo;

import io.prodgate.core.util.Durations;
import io.prodgate.testkit.Behaviour;
import io.prodgate.testkit.LoadGenerator;
import io.prodgate.testkit.LocalPrometheus;
import io.prodgate.testkit.SampleService;
import io.prodgate.testkit.ScrapeTarget;
import io.prodgate.testkit.TrafficSplitter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * Everything the demo runs against, on loopback only: the checkout service as a stable and a canary
 * {@link SampleService}, a real {@link LocalPrometheus} scraping both every second (labelled {@code app="checkout"},
 * {@code track="stable"|"canary"}), and the user traffic, a {@link LoadGenerator} split between the two by a
 * {@link TrafficSplitter}, the demo's load balancer, whose admin endpoint ({@link #trafficAdminUrl()}) a gate file's
 * traffic action can call to shift the split.
 *
 * <p>The demo's stages share one environment and change it through the accessors (switch the canary's behaviour,
 * restart the traffic). {@link #close()} stops everything, in reverse order; Prometheus' own shutdown hook stops the
 * child process if the JVM exits first (Ctrl-C).
 */
public final class DemoEnvironment implements AutoCloseable {
    /** The {@code app} label of both instances, and the scrape job's name. */
    public static final String APP = "checkout";
    public static final String STABLE = "stable";
    public static final String CANARY = "canary";
    public static final String STAGING = "staging";

    private final Settings settings;
    private final List<AutoCloseable> owned = new ArrayList<>();
    private final SampleService stable;
    private final SampleService canary;
    private final SampleService staging;
    private final LocalPrometheus prometheus;
    private final TrafficSplitter splitter;
    private LoadGenerator traffic;
    private boolean closed;

    /**
     * How to set the environment up.
     *
     * @param stableBehaviour the stable instance's behaviour (the baseline)
     * @param canaryBehaviour the canary's behaviour at start; stages change it with {@code canary().setBehaviour}
     * @param traffic         the user traffic
     * @param scrapeInterval  Prometheus' scrape interval
     */
    public record Settings(Behaviour stableBehaviour, Behaviour canaryBehaviour, Traffic traffic,
                           Duration scrapeInterval) {
        public Settings {
            Objects.requireNonNull(stableBehaviour, "stableBehaviour");
            Objects.requireNonNull(canaryBehaviour, "canaryBehaviour");
            Objects.requireNonNull(traffic, "traffic");
            Objects.requireNonNull(scrapeInterval, "scrapeInterval");
        }
    }

    /**
     * The user traffic: a total rate, split between stable and canary by weight.
     *
     * @param ratePerSecond total requests per second
     * @param canaryShare   the canary's share of the requests at start, in (0, 1); the traffic splitter shifts it
     * @param concurrency   requests in flight at most (slots beyond it are dropped, not queued)
     */
    public record Traffic(double ratePerSecond, double canaryShare, int concurrency) {
        public Traffic {
            if (!(ratePerSecond > 0 && ratePerSecond <= LoadGenerator.MAX_RATE_LIMIT)) {
                throw new IllegalArgumentException("ratePerSecond must be in (0, " + LoadGenerator.MAX_RATE_LIMIT
                        + "], got: " + ratePerSecond);
            }
            if (!(canaryShare > 0 && canaryShare < 1)) {
                throw new IllegalArgumentException("canaryShare must be in (0, 1), got: " + canaryShare);
            }
            if (concurrency < 1 || concurrency > LoadGenerator.MAX_CONCURRENCY_LIMIT) {
                throw new IllegalArgumentException("concurrency must be in [1, " + LoadGenerator.MAX_CONCURRENCY_LIMIT
                        + "], got: " + concurrency);
            }
        }
    }

    private DemoEnvironment(Settings settings) {
        this.settings = settings;
        try {
            // Enough server threads that requests never queue in front of the measured latency.
            int threads = Math.min(256, settings.traffic().concurrency() + 8);
            stable = own(SampleService.builder().name(STABLE).behaviour(settings.stableBehaviour()).threads(threads)
                    .build().start());
            canary = own(SampleService.builder().name(CANARY).behaviour(settings.canaryBehaviour()).threads(threads)
                    .build().start());
            // staging runs the release under test too, off the production traffic and out of Prometheus' view
            staging = own(SampleService.builder().name(STAGING).behaviour(settings.canaryBehaviour().withErrorRate(0))
                    .build().start());
            prometheus = own(LocalPrometheus.builder()
                    .scrapeInterval(settings.scrapeInterval())
                    .scrapeTarget(ScrapeTarget.of(APP, stable, Map.of("app", APP, "track", STABLE)))
                    .scrapeTarget(ScrapeTarget.of(APP, canary, Map.of("app", APP, "track", CANARY)))
                    .start());
            // The split starts as the settings say; it is the splitter's from then on, as a load balancer's is.
            splitter = own(TrafficSplitter.start(STABLE, CANARY, settings.traffic().canaryShare() * 100));
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * Starts both instances and Prometheus (the traffic is started by {@link #startTraffic(Duration)}).
     *
     * @throws IllegalStateException if Prometheus is not installed or does not start
     */
    public static DemoEnvironment start(Settings settings) {
        return new DemoEnvironment(Objects.requireNonNull(settings, "settings"));
    }

    private <T extends AutoCloseable> T own(T resource) {
        synchronized (owned) {
            owned.add(resource);
        }
        return resource;
    }

    public Settings settings() {
        return settings;
    }

    public SampleService stable() {
        return stable;
    }

    public SampleService canary() {
        return canary;
    }

    /** The staging instance of the release under test, for the smoke gate. */
    public SampleService staging() {
        return staging;
    }

    public LocalPrometheus prometheus() {
        return prometheus;
    }

    /** The demo's load balancer: the split of the user traffic between stable and canary, in percent. */
    public TrafficSplitter trafficSplitter() {
        return splitter;
    }

    /**
     * The load balancer's admin URL, {@code http://127.0.0.1:PORT/admin/weights}: {@code POST {"canary": 10}} sends
     * 10 % of the user traffic to the canary and the rest to stable, at once and for any later
     * {@link #startTraffic(Duration)} too; {@code GET} reads the split. See {@link TrafficSplitter}.
     */
    public String trafficAdminUrl() {
        return splitter.weightsUrl();
    }

    /** The PromQL label matchers (without braces) of one track, e.g. {@code app="checkout",track="canary"}. */
    public static String selector(String track) {
        return "app=\"" + APP + "\",track=\"" + track + "\"";
    }

    /**
     * (Re)starts the user traffic, split as the {@link #trafficSplitter()} says; the previous generator, if any, is
     * stopped first. It stops by itself after {@code atMost}, so a forgotten generator cannot run on.
     */
    public synchronized LoadGenerator startTraffic(Duration atMost) {
        if (closed) {
            throw new IllegalStateException("the demo environment is closed");
        }
        stopTraffic();
        Traffic t = settings.traffic();
        Duration limit = atMost.compareTo(LoadGenerator.MAX_DURATION_LIMIT) > 0 ? LoadGenerator.MAX_DURATION_LIMIT
                : atMost;
        long maxRequests = (long) Math.min(LoadGenerator.MAX_REQUESTS_LIMIT,
                Math.ceil(t.ratePerSecond() * limit.toMillis() / 1000.0) + 1);
        LoadGenerator next = LoadGenerator.builder()
                .target(stable, 1 - t.canaryShare())
                .target(canary, t.canaryShare())
                .ratePerSecond(t.ratePerSecond())
                .concurrency(t.concurrency())
                .maxDuration(limit)
                .maxRequests(maxRequests)
                .build();
        try {
            // Before the first request, so that all of them follow the split in force (perhaps 0 % or 100 %).
            splitter.attach(next);
        } catch (RuntimeException e) {
            next.close();
            throw e;
        }
        traffic = next.start();
        return traffic;
    }

    /** The current traffic generator, or null before {@link #startTraffic(Duration)}. */
    public synchronized LoadGenerator traffic() {
        return traffic;
    }

    /** Stops the traffic, if any runs. */
    public synchronized void stopTraffic() {
        if (traffic != null) {
            traffic.stop();
        }
    }

    /**
     * Waits until Prometheus has seen requests on both tracks within the last {@code window}, i.e. until a bake's
     * first evaluation has data to look at.
     *
     * @return false on timeout
     */
    public boolean awaitTraffic(Duration window, Duration timeout) throws InterruptedException {
        return awaitTraffic(window, timeout, STABLE, CANARY);
    }

    /**
     * Waits until Prometheus has seen requests on each of {@code tracks} within the last {@code window} (only the
     * stable one, say, for a progressive canary that takes no traffic until its first step).
     *
     * @return false on timeout
     */
    public boolean awaitTraffic(Duration window, Duration timeout, String... tracks) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (java.util.Arrays.stream(tracks).allMatch(track -> seen(track, window))) {
                return true;
            }
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            Thread.sleep(250);
        }
    }

    private boolean seen(String track, Duration window) {
        OptionalDouble v = prometheus.queryValue("sum(increase(http_requests_total{" + selector(track) + "}["
                + Durations.promql(window) + "]))");
        return v.isPresent() && v.getAsDouble() > 0;
    }

    /** Stops the traffic, Prometheus and both instances. Idempotent. */
    @Override
    public void close() {
        List<AutoCloseable> toClose;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            stopTraffic();
        }
        synchronized (owned) {
            toClose = new ArrayList<>(owned);
            owned.clear();
        }
        RuntimeException failure = null;
        for (int i = toClose.size() - 1; i >= 0; i--) {
            try {
                toClose.get(i).close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = new IllegalStateException("could not stop the demo environment cleanly", e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
