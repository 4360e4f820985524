package io.prodgate.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Past request metrics of stable and canary sides, as OpenMetrics for {@code promtool tsdb create-blocks-from
 * openmetrics}: the same series names as a Prometheus-instrumented HTTP service, sampled every 15 s.
 */
final class SyntheticHistory {
    static final double[] BUCKETS = {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};
    private final List<String> requests = new ArrayList<>();
    private final List<String> buckets = new ArrayList<>();
    private final List<String> counts = new ArrayList<>();

    /**
     * Adds one scenario.
     *
     * @param canaryRps    canary requests per second (0: the canary never reports)
     * @param canaryErrors the canary's error ratio (the stable side has {@code stableErrors})
     * @param canarySlow   the canary's share of requests slower than 0.5 s (stable: 2 %)
     */
    SyntheticHistory scenario(String name, long t0, long seconds, double stableRps, double stableErrors,
                              double canaryRps, double canaryErrors, double canarySlow, long seed) {
        Random rng = new Random(seed);
        side(name, "stable", t0 - 600, t0 + seconds, stableRps, stableErrors, 0.02, rng);
        if (canaryRps > 0) {
            side(name, "canary", t0, t0 + seconds, canaryRps, canaryErrors, canarySlow, rng);
        }
        return this;
    }

    private void side(String scenario, String track, long from, long to, double rps, double errors, double slow,
                      Random rng) {
        long ok = 0;
        long bad = 0;
        long fast = 0;
        long total = 0;
        String labels = "scenario=\"" + scenario + "\",track=\"" + track + "\"";
        for (long t = from; t < to; t += 15) {
            long n = poisson(rng, rps * 15);
            long e = 0;
            long s = 0;
            for (long i = 0; i < n; i++) {
                e += rng.nextDouble() < errors ? 1 : 0;
                s += rng.nextDouble() < slow ? 1 : 0;
            }
            ok += n - e;
            bad += e;
            total += n;
            fast += n - s;
            requests.add("http_requests_total{" + labels + ",code=\"200\"} " + ok + " " + t);
            requests.add("http_requests_total{" + labels + ",code=\"500\"} " + bad + " " + t);
            for (double le : BUCKETS) {
                // under 0.5 s everything fast, above it everything: enough for the latency SLI at 0.5 s
                long c = le < 0.5 ? fast / 2 : le == 0.5 ? fast : total;
                buckets.add("http_request_duration_seconds_bucket{" + labels + ",le=\"" + le + "\"} " + c + " " + t);
            }
            buckets.add("http_request_duration_seconds_bucket{" + labels + ",le=\"+Inf\"} " + total + " " + t);
            counts.add("http_request_duration_seconds_count{" + labels + "} " + total + " " + t);
        }
    }

    private static long poisson(Random rng, double mean) {
        if (mean > 200) {
            return Math.max(0, Math.round(mean + Math.sqrt(mean) * rng.nextGaussian()));
        }
        double l = Math.exp(-mean);
        long k = 0;
        double p = 1;
        do {
            k++;
            p *= rng.nextDouble();
        } while (p > l);
        return k - 1;
    }

    /** Writes the OpenMetrics file: families in blocks, each series' samples in time order. */
    Path write(Path file) throws IOException {
        StringBuilder b = new StringBuilder();
        append(b, "http_requests_total", requests);
        append(b, "http_request_duration_seconds_bucket", buckets);
        append(b, "http_request_duration_seconds_count", counts);
        b.append("# EOF\n");
        Files.writeString(file, b);
        return file;
    }

    private static void append(StringBuilder b, String family, List<String> lines) {
        b.append("# TYPE ").append(family).append(" unknown\n");
        lines.stream().sorted((x, y) -> {
            String sx = x.substring(0, x.lastIndexOf(' ', x.lastIndexOf(' ') - 1));
            String sy = y.substring(0, y.lastIndexOf(' ', y.lastIndexOf(' ') - 1));
            int c = sx.compareTo(sy);
            return c != 0 ? c : Long.compare(time(x), time(y));
        }).forEach(l -> b.append(l).append('\n'));
    }

    private static long time(String line) {
        return Long.parseLong(line.substring(line.lastIndexOf(' ') + 1));
    }

    static String format(double d) {
        return String.format(Locale.ROOT, "%s", d);
    }
}
