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
 * smoke checks and rollbacks talk to.
 */
public final class FakeProduction implements AutoCloseable {
    public enum Canary { HEALTHY, REGRESSED, NO_DATA }

    public static final long TOTAL_PER_SECOND = 1_000_000;
    public static final long BASELINE_BAD_PER_SECOND = 200;
    public static final long REGRESSED_BAD_PER_SECOND = 5_000;

    /** The canary's behaviour from a moment on. */
    private record Phase(Instant since, Canary mode) {
    }

    private final MockWebServer server = new MockWebServer();
    private final List<Phase> timeline = new CopyOnWriteArrayList<>(List.of(new Phase(Instant.EPOCH, Canary.HEALTHY)));
    private final AtomicReference<String> version = new AtomicReference<>("1.4.2");
    private final List<String> authorizations = new CopyOnWriteArrayList<>();

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
     * regressed one, none at all without canary data (an empty vector, as for a series that does not exist). A change
     * of {@link #canary(Canary)} applies from that moment on: earlier figures stay what they were.
     */
    private String query(String promql, Instant time) {
        boolean isCanary = promql.contains("track=\"canary\"");
        boolean bad = promql.contains("code=~\"5..\"");
        Duration window = window(promql);
        double value;
        if (window == null) {
            value = 1; // vector(1), the connection test
        } else {
            Instant from = time.minus(window);
            double total = isCanary ? canarySeconds(from, time, false) * TOTAL_PER_SECOND
                    : seconds(from, time) * TOTAL_PER_SECOND;
            if (isCanary && total == 0) {
                return "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}";
            }
            value = !bad ? total
                    : isCanary ? canaryBad(from, time) : seconds(from, time) * BASELINE_BAD_PER_SECOND;
        }
        String at = BigDecimal.valueOf(time.toEpochMilli(), 3).toPlainString();
        return "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},\"value\":["
                + at + ",\"" + BigDecimal.valueOf(value).toPlainString() + "\"]}]}}";
    }

    private static double seconds(Instant from, Instant to) {
        return Math.max(0, Duration.between(from, to).toNanos()) / 1e9;
    }

    /** The seconds of {@code [from, to]} in which the canary served traffic. */
    private double canarySeconds(Instant from, Instant to, boolean regressedOnly) {
        double sum = 0;
        List<Phase> phases = List.copyOf(timeline);
        for (int i = 0; i < phases.size(); i++) {
            Phase p = phases.get(i);
            Instant end = i + 1 < phases.size() ? phases.get(i + 1).since() : Instant.MAX;
            Instant a = p.since().isAfter(from) ? p.since() : from;
            Instant b = end.isBefore(to) ? end : to;
            boolean counts = regressedOnly ? p.mode() == Canary.REGRESSED : p.mode() != Canary.NO_DATA;
            if (counts && b.isAfter(a)) {
                sum += seconds(a, b);
            }
        }
        return sum;
    }

    private double canaryBad(Instant from, Instant to) {
        double regressed = canarySeconds(from, to, true);
        double healthy = canarySeconds(from, to, false) - regressed;
        return healthy * BASELINE_BAD_PER_SECOND + regressed * REGRESSED_BAD_PER_SECOND;
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
            d = d.plus(switch (part.group(2)) {
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
        long nanos = seconds.subtract(whole).movePointRight(9).setScale(0, RoundingMode.HALF_UP).longValueExact();
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
        return new MockResponse.Builder().code(code).setHeader("Content-Type", "application/json").body(body).build();
    }

    @Override
    public void close() {
        server.close();
    }
}
