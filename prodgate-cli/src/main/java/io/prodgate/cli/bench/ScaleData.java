package io.prodgate.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.prodgate.core.util.Json;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.apache.commons.math3.distribution.NormalDistribution;

/**
 * The scale benchmark's backfill: one service's canary and stable baseline, scraped every {@code scrape} seconds for
 * {@code hours} hours, as OpenMetrics text for {@code promtool tsdb create-blocks-from openmetrics}. Both sides are
 * healthy and alike (0.5 % errors, a log-normal latency with 5 % of the requests over 0.25 s): the benchmark measures
 * the gate's cost, not its verdicts. A {@code manifest.json} beside it says what it holds.
 */
final class ScaleData {
    static final String SERVICE = "checkout";
    static final String CANARY = "service=\"" + SERVICE + "\",track=\"canary\"";
    static final String BASELINE = "service=\"" + SERVICE + "\",track=\"stable\"";
    /** The latency histogram's bucket bounds, seconds; the last is +Inf. */
    static final double[] BUCKETS = {0.05, 0.1, 0.25, 0.5, 1, 2.5, Double.POSITIVE_INFINITY};
    private static final double ERROR_RATIO = 0.005;
    private static final double MEDIAN_SECONDS = 0.06;
    private static final double SIGMA = 0.87;

    /** What a written data set holds. */
    record Manifest(Instant start, Instant end, int scrapeSeconds, int seed) {
        static Manifest read(Path dir) throws IOException {
            JsonNode m = Json.MAPPER.readTree(dir.resolve("manifest.json").toFile());
            return new Manifest(Instant.ofEpochSecond(m.get("start").asLong()), Instant.ofEpochSecond(m.get("end").asLong()),
                    m.get("scrape_seconds").asInt(), m.get("seed").asInt());
        }
    }

    private ScaleData() {
    }

    /**
     * Writes {@code dir/metrics.om} and {@code dir/manifest.json}: {@code hours} of data ending at the last whole hour
     * at least an hour before {@code now}.
     */
    static Manifest write(Path dir, Instant now, int hours, int scrapeSeconds, int seed) throws IOException {
        Files.createDirectories(dir);
        long end = (now.getEpochSecond() - 3600) / 3600 * 3600;
        long start = end - hours * 3600L;
        Random rng = new Random(seed);
        double[] share = new double[BUCKETS.length];
        NormalDistribution normal = new NormalDistribution();
        for (int i = 0; i < BUCKETS.length; i++) {
            share[i] = Double.isInfinite(BUCKETS[i]) ? 1
                    : normal.cumulativeProbability((Math.log(BUCKETS[i]) - Math.log(MEDIAN_SECONDS)) / SIGMA);
        }
        List<String> requests = new ArrayList<>();
        List<String> buckets = new ArrayList<>();
        List<String> counts = new ArrayList<>();
        List<String> sums = new ArrayList<>();
        // the canary takes a tenth of the traffic, as a canary at 10 % would
        String[][] sides = {{CANARY, "3"}, {BASELINE, "27"}};
        for (String[] side : sides) {
            double rate = Double.parseDouble(side[1]);
            long ok = 0;
            long errors = 0;
            long count = 0;
            double sum = 0;
            long[] cumulative = new long[BUCKETS.length];
            for (long t = start; t <= end; t += scrapeSeconds) {
                if (t > start) {
                    long n = poisson(rng, rate * scrapeSeconds);
                    long bad = binomial(rng, n, ERROR_RATIO);
                    ok += n - bad;
                    errors += bad;
                    count += n;
                    // a bucket counts every request at or under its bound: draw each bound's share of what is left
                    long left = n;
                    double below = 0;
                    long inBuckets = 0;
                    for (int i = 0; i < BUCKETS.length; i++) {
                        long k = i == BUCKETS.length - 1 ? left
                                : binomial(rng, left, (share[i] - below) / Math.max(1e-12, 1 - below));
                        left -= k;
                        inBuckets += k;
                        below = share[i];
                        cumulative[i] += inBuckets;
                    }
                    sum += n * MEDIAN_SECONDS * Math.exp(SIGMA * SIGMA / 2);
                }
                requests.add(line("http_requests_total", side[0] + ",code=\"200\"", Long.toString(ok), t));
                requests.add(line("http_requests_total", side[0] + ",code=\"500\"", Long.toString(errors), t));
                for (int i = 0; i < BUCKETS.length; i++) {
                    String le = Double.isInfinite(BUCKETS[i]) ? "+Inf" : Double.toString(BUCKETS[i]);
                    buckets.add(line("http_request_duration_seconds_bucket", side[0] + ",le=\"" + le + "\"",
                            Long.toString(cumulative[i]), t));
                }
                counts.add(line("http_request_duration_seconds_count", side[0], Long.toString(count), t));
                sums.add(line("http_request_duration_seconds_sum", side[0], String.format(Locale.ROOT, "%.3f", sum), t));
            }
        }
        try (BufferedWriter w = Files.newBufferedWriter(dir.resolve("metrics.om"), StandardCharsets.UTF_8)) {
            family(w, "http_requests_total", requests);
            family(w, "http_request_duration_seconds_bucket", buckets);
            family(w, "http_request_duration_seconds_count", counts);
            family(w, "http_request_duration_seconds_sum", sums);
            w.write("# EOF\n");
        }
        ObjectNode m = Json.MAPPER.createObjectNode();
        m.put("start", start);
        m.put("end", end);
        m.put("scrape_seconds", scrapeSeconds);
        m.put("seed", seed);
        m.put("canary", CANARY);
        m.put("baseline", BASELINE);
        Files.writeString(dir.resolve("manifest.json"), Json.MAPPER.writeValueAsString(m) + "\n");
        return new Manifest(Instant.ofEpochSecond(start), Instant.ofEpochSecond(end), scrapeSeconds, seed);
    }

    private static String line(String name, String labels, String value, long t) {
        return name + "{" + labels + "} " + value + " " + t;
    }

    /** One family, its series one after the other, each in time order (they were added so). */
    private static void family(BufferedWriter w, String name, List<String> lines) throws IOException {
        w.write("# TYPE " + name + " unknown\n");
        List<String> sorted = new ArrayList<>(lines);
        // stable sort on the series: each series' samples keep their time order
        sorted.sort((a, b) -> a.substring(0, a.indexOf('}')).compareTo(b.substring(0, b.indexOf('}'))));
        for (String l : sorted) {
            w.write(l);
            w.write('\n');
        }
    }

    private static long poisson(Random rng, double mean) {
        if (mean > 30) {
            return Math.max(0, Math.round(mean + Math.sqrt(mean) * rng.nextGaussian()));
        }
        double l = Math.exp(-mean);
        long k = 0;
        double p = rng.nextDouble();
        while (p > l) {
            k++;
            p *= rng.nextDouble();
        }
        return k;
    }

    private static long binomial(Random rng, long n, double p) {
        if (n <= 0 || p <= 0) {
            return 0;
        }
        if (p >= 1) {
            return n;
        }
        double mean = n * p;
        if (mean < 20 && n < 200) {
            long k = 0;
            for (long i = 0; i < n; i++) {
                if (rng.nextDouble() < p) {
                    k++;
                }
            }
            return k;
        }
        if (mean < 20) {
            return Math.min(n, poisson(rng, mean));
        }
        long k = Math.round(mean + Math.sqrt(mean * (1 - p)) * rng.nextGaussian());
        return Math.max(0, Math.min(n, k));
    }
}
