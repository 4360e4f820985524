package io.jenkins.plugins.prodgate.testing;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/**
 * A Prometheus stand-in and a service in one local server: {@code /api/v1/query} answers the canary's queries (healthy,
 * regressed or without canary data) with counts that grow with the query's range, as {@code increase()} over real
 * counters does; {@code /healthz}, {@code /version} and {@code POST /deploy/rollback} play the service that staging
 * smoke checks and rollbacks talk to; {@code POST /admin/weights} with {@code {"canary": 10}} plays a load balancer's
 * admin API, which splits the traffic between canary and baseline from then on.
 */
public final class FakeProduction implements AutoCloseable {
    public enum Canary {
        HEALTHY,
        REGRESSED,
        NO_DATA
    }

    public static final long TOTAL_PER_SECOND = 1_000_000;
    public static final long BASELINE_BAD_PER_SECOND = 200;
    public static final long REGRESSED_BAD_PER_SECOND = 5_000;

    /** The canary's behaviour from a moment on. */
    private record Phase(Instant since, Canary mode) {}

    /** The canary's share of the traffic from a moment on; NaN: both sides get {@link #TOTAL_PER_SECOND}. */
    private record Split(Instant since, double weight) {}

    /** One figure of a combined query: {@code label_replace((<query>\n), "prodgate_figure", "<tag>", "", "")}. */
    private static final Pattern TAGGED = Pattern.compile(
            "label_replace\\(\\((.*?)\\n\\), \"prodgate_figure\", \"([^\"]+)\", \"\", \"\"\\)", Pattern.DOTALL);

    private final MockWebServer server = new MockWebServer();
    private final List<Phase> timeline = new CopyOnWriteArrayList<>(List.of(new Phase(Instant.EPOCH, Canary.HEALTHY)));
    private final AtomicReference<String> version = new AtomicReference<>("1.4.2");
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private final List<Split> splits = new CopyOnWriteArrayList<>(List.of(new Split(Instant.EPOCH, Double.NaN)));
    private final List<String> weightsAsked = new CopyOnWriteArrayList<>();

    public FakeProduction() throws IOException {
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return answer(request);
            }
        });
        server.start();
    }

    public String url() {
        String u = server.url("/").toString();
        return u.substring(0, u.length() - 1);
    }

    /** How the canary behaves from now on. */
    public void canary(Canary mode) {
        timeline.add(new Phase(Instant.now(), mode));
    }

    public String version() {
        return version.get();
    }

    /**
     * Splits the traffic from now on: {@code percent} of {@code 2 * TOTAL_PER_SECOND} requests a second to the canary,
     * the rest to the baseline, as a load balancer would. Until the first split each side gets
     * {@link #TOTAL_PER_SECOND}.
     */
    public void weight(double percent) {
        splits.add(new Split(Instant.now(), percent / 100));
    }

    /** The weights asked for through {@code POST /admin/weights}, in percent as sent ("10", "0"). */
    public List<String> weightsAsked() {
        return List.copyOf(weightsAsked);
    }

    /** The Authorization header of every query, "" when there was none. */
    public List<String> authorizations() {
        return List.copyOf(authorizations);
    }

    private MockResponse answer(RecordedRequest request) {
        String path = request.getUrl().encodedPath();
        switch (path) {
            case "/api/v1/query" -> {
                String auth = request.getHeaders().get("Authorization");
                authorizations.add(auth == null ? "" : auth);
                return json(200, query(form(request, "query"), time(request)));
            }
            case "/healthz" -> {
                return json(200, "{\"status\":\"ok\"}");
            }
            case "/version" -> {
                return json(200, "{\"version\":\"" + version.get() + "\"}");
            }
            case "/deploy/rollback" -> {
                version.set("1.4.1");
                return json(202, "{}");
            }
            case "/admin/weights" -> {
                String body = request.getBody() == null ? "" : request.getBody().utf8();
                Matcher canary = Pattern.compile("\"canary\"\\s*:\\s*([0-9.]+)").matcher(body);
                if (!"POST".equals(request.getMethod()) || !canary.find()) {
                    return json(400, "{\"error\":\"expected POST {\\\"canary\\\": <percent>}\"}");
                }
                weightsAsked.add(canary.group(1));
                weight(Double.parseDouble(canary.group(1)));
                return json(200, "{}");
            }
            default -> {
                return json(404, "{}");
            }
        }
    }

    /**
     * A counter's {@code increase()} over the query's range, ending at the query's {@code time}, as Prometheus would
     * answer it: the events counted in {@code [time - window, time]}. The core asks for figures cumulative since the
     * bake began ({@code ${window}} is the time since the start, "5s", "10s", ...) and takes differences, so the
     * answers must grow with the window: a constant would leave every difference at zero, i.e. no traffic.
     *
     * <p>Traffic: {@link #TOTAL_PER_SECOND} requests a second on each side, {@link #BASELINE_BAD_PER_SECOND} of them
     * failing on the baseline (0.02 %) and on a healthy canary, {@link #REGRESSED_BAD_PER_SECOND} (0.5 %) on a
     * regressed one, none at all without canary data (an empty vector, as for a series that does not exist). Once the
     * traffic is split ({@link #weight}), the two sides share twice that many requests by the weight. A change of
     * {@link #canary(Canary)} or of the split applies from that moment on: earlier figures stay what they were.
     */
    private String query(String promql, Instant time) {
        Matcher part = TAGGED.matcher(promql);
        if (promql.startsWith("label_replace((")) {
            // several figures in one request, each tagged (PrometheusClient.scalars): each answered as on its own,
            // its series carrying the tag, as Prometheus' label_replace and or give them
            StringBuilder result = new StringBuilder();
            while (part.find()) {
                String answer = query(part.group(1), time);
                int series = answer.indexOf("{\"metric\":{}");
                if (series >= 0) {
                    result.append(result.length() == 0 ? "" : ",")
                            .append("{\"metric\":{\"prodgate_figure\":\"")
                            .append(part.group(2))
                            .append("\"}")
                            .append(answer, series + "{\"metric\":{}".length(), answer.lastIndexOf("]}}"));
                }
            }
            return "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[" + result + "]}}";
        }
        boolean isCanary = promql.contains("track=\"canary\"");
        boolean bad = promql.contains("code=~\"5..\"");
        Duration window = window(promql);
        double value;
        if (window == null) {
            value = 1; // vector(1), the connection test
        } else {
            double[] counts = counts(time.minus(window), time, isCanary);
            if (isCanary && counts[0] == 0) {
                return "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}";
            }
            value = bad ? counts[1] : counts[0];
        }
        String at = BigDecimal.valueOf(time.toEpochMilli(), 3).toPlainString();
        return "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},\"value\":[" + at
                + ",\"" + BigDecimal.valueOf(value).toPlainString() + "\"]}]}}";
    }

    private static double seconds(Instant from, Instant to) {
        return Math.max(0, Duration.between(from, to).toNanos()) / 1e9;
    }

    /**
     * One side's requests and bad requests in {@code [from, to]}: piece by piece between the moments the canary's
     * behaviour or the split changed.
     */
    private double[] counts(Instant from, Instant to, boolean canary) {
        List<Phase> phases = List.copyOf(timeline);
        List<Split> split = List.copyOf(splits);
        java.util.TreeSet<Instant> cuts = new java.util.TreeSet<>(List.of(from, to));
        phases.forEach(p -> cuts.add(p.since()));
        split.forEach(p -> cuts.add(p.since()));
        double total = 0;
        double bad = 0;
        Instant a = null;
        for (Instant b : cuts.subSet(from, true, to, true)) {
            if (a != null && b.isAfter(a)) {
                Canary mode = modeAt(phases, a);
                double weight = weightAt(split, a);
                double share = Double.isNaN(weight) ? 1 : 2 * (canary ? weight : 1 - weight);
                double requests = canary && mode == Canary.NO_DATA ? 0 : seconds(a, b) * TOTAL_PER_SECOND * share;
                double badPerRequest =
                        (canary && mode == Canary.REGRESSED ? REGRESSED_BAD_PER_SECOND : BASELINE_BAD_PER_SECOND)
                                / (double) TOTAL_PER_SECOND;
                total += requests;
                bad += requests * badPerRequest;
            }
            a = b;
        }
        return new double[] {total, bad};
    }

    /** The canary's behaviour at {@code t}: the last phase that began by then. */
    private static Canary modeAt(List<Phase> phases, Instant t) {
        Canary mode = phases.get(0).mode();
        for (Phase p : phases) {
            if (!p.since().isAfter(t)) {
                mode = p.mode();
            }
        }
        return mode;
    }

    /** The split at {@code t}: the last one made by then. */
    private static double weightAt(List<Split> splits, Instant t) {
        double weight = splits.get(0).weight();
        for (Split s : splits) {
            if (!s.since().isAfter(t)) {
                weight = s.weight();
            }
        }
        return weight;
    }

    /** The range of the query's range selector, e.g. {@code [5s]}, {@code [1500ms]} or {@code [1m30s]}; null without. */
    static Duration window(String promql) {
        Matcher range = Pattern.compile("\\[([0-9a-z]+)\\]").matcher(promql);
        if (!range.find()) {
            return null;
        }
        Matcher part = Pattern.compile("([0-9]+)(ms|s|m|h|d|w|y)").matcher(range.group(1));
        Duration d = Duration.ZERO;
        while (part.find()) {
            long n = Long.parseLong(part.group(1));
            d = d.plus(
                    switch (part.group(2)) {
                        case "ms" -> Duration.ofMillis(n);
                        case "s" -> Duration.ofSeconds(n);
                        case "m" -> Duration.ofMinutes(n);
                        case "h" -> Duration.ofHours(n);
                        case "d" -> Duration.ofDays(n);
                        case "w" -> Duration.ofDays(7 * n);
                        default -> Duration.ofDays(365 * n);
                    });
        }
        return d;
    }

    /** The evaluation time of a query: its {@code time} parameter (epoch seconds), else now. */
    private static Instant time(RecordedRequest request) {
        String t = form(request, "time");
        if (t.isEmpty()) {
            return Instant.now();
        }
        BigDecimal seconds = new BigDecimal(t);
        BigDecimal whole = seconds.setScale(0, RoundingMode.FLOOR);
        long nanos = seconds.subtract(whole)
                .movePointRight(9)
                .setScale(0, RoundingMode.HALF_UP)
                .longValueExact();
        return Instant.ofEpochSecond(whole.longValueExact(), nanos);
    }

    private static String form(RecordedRequest request, String name) {
        String body = request.getBody() == null ? "" : request.getBody().utf8();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).equals(name)) {
                return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return "";
    }

    private static MockResponse json(int code, String body) {
        return new MockResponse.Builder()
                .code(code)
                .setHeader("Content-Type", "application/json")
                .body(body)
                .build();
    }

    @Override
    public void close() {
        server.close();
    }
}
